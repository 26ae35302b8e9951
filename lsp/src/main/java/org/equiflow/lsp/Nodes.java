package org.equiflow.lsp;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.equiflow.compiler.ast.Node;
import org.equiflow.compiler.diag.Span;

/**
 * Walks the compiler's AST. Every node is a record whose components are nodes, lists of nodes or
 * plain values, so one generic walk over the record components reaches every node without a
 * visitor per node type (and keeps working when the language grows a node).
 */
final class Nodes {
    private Nodes() {}

    /** Every node under {@code root} (itself included), parents before children, in source order per record. */
    static void walk(Node root, Consumer<Node> visit) {
        if (root == null) return;
        visit.accept(root);
        RecordComponent[] components = root.getClass().getRecordComponents();
        if (components == null) return;
        for (RecordComponent c : components) {
            Object value;
            try {
                value = c.getAccessor().invoke(root);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + root.getClass().getSimpleName(), e);
            }
            if (value instanceof Node child) {
                walk(child, visit);
            } else if (value instanceof List<?> list) {
                for (Object element : list) if (element instanceof Node child) walk(child, visit);
            }
        }
    }

    /** The nodes of a type whose span contains {@code offset} (ends included), outermost first. */
    static <T extends Node> List<T> enclosing(Node root, Class<T> type, int offset) {
        List<T> found = new ArrayList<>();
        walk(root, n -> {
            if (type.isInstance(n) && contains(n.span(), offset)) found.add(type.cast(n));
        });
        found.sort((a, b) -> Integer.compare(b.span().end() - b.span().start(), a.span().end() - a.span().start()));
        return found;
    }

    /** The innermost node of a type at {@code offset}, or null. */
    static <T extends Node> T innermost(Node root, Class<T> type, int offset) {
        List<T> all = enclosing(root, type, offset);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    static boolean contains(Span span, int offset) {
        return span != null && span.start() <= offset && offset <= span.end();
    }
}
