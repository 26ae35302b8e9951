package org.equiflow.compiler.ast;

import java.util.List;
import org.equiflow.compiler.diag.Span;

/** One line of a run block: {@code batch 64}, {@code measure magnetization, ess}. */
public record Setting(Ident name, List<Expr> values, Span span) implements Node {
    public Setting { values = List.copyOf(values); }
}
