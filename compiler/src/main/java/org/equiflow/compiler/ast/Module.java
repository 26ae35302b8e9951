package org.equiflow.compiler.ast;

import java.util.List;
import org.equiflow.compiler.diag.SourceFile;
import org.equiflow.compiler.diag.Span;

/** One parsed .flow file: its items in source order. */
public record Module(SourceFile source, List<Item> items, Span span) implements Node {
    public Module { items = List.copyOf(items); }
}
