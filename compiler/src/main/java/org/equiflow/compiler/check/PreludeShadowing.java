package org.equiflow.compiler.check;

import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Let;
import org.equiflow.compiler.ast.Param;
import org.equiflow.compiler.ast.Stmt;
import org.equiflow.compiler.ast.TheoryMember;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;

/**
 * Names in the user's own modules that hide a name of {@code std.prelude} ({@code let pi = 3},
 * a parameter named {@code tanh}, a loop variable {@code exp}): legal, since the innermost
 * definition wins, but a reader of the script, and its author a week later, will take the name
 * for the prelude's. One warning (W0301) per such name, at its declaration, with a note at the
 * prelude's. {@code extern} declarations are left to the primitive check (E0310).
 *
 * Postcondition: reports warnings only; the program is unchanged.
 */
public final class PreludeShadowing {
    private PreludeShadowing() {}

    public static void check(Map<String, ModuleScope> scopes, Diagnostics diagnostics) {
        for (ModuleScope scope : scopes.values()) {
            if (scope.module.isStandard()) continue;
            new Walk(scope, diagnostics).items(scope.module.ast().items());
        }
    }

    private record Walk(ModuleScope scope, Diagnostics diagnostics) {
        void items(List<Item> items) {
            for (Item item : items) {
                switch (item) {
                    case Let let -> declared(let.name(), "constant");
                    case Item.TheoryInst inst -> declared(inst.name(), "theory instance");
                    case Item.TheoryDef def -> {
                        declared(def.name(), "theory");
                        params(def.params());
                        for (TheoryMember m : def.members()) {
                            if (m instanceof Let let) declared(let.name(), "constant");
                            if (m instanceof TheoryMember.Field f) declared(f.name(), "field");
                        }
                    }
                    case Item.FlowDef flow -> {
                        declared(flow.name(), "flow");
                        params(flow.params());
                        statements(flow.body());
                    }
                    case Item.NetDef net -> {
                        declared(net.name(), "net");
                        params(net.params());
                        statements(net.body());
                    }
                    case Item.MaskDef mask -> {
                        declared(mask.name(), "mask");
                        params(mask.params());
                    }
                    default -> { }
                }
            }
        }

        void params(List<Param> params) {
            for (Param p : params) declared(p.name(), "parameter");
        }

        void statements(List<Stmt> body) {
            for (Stmt s : body) {
                switch (s) {
                    case Let let -> declared(let.name(), "constant");
                    case Stmt.Repeat r -> {
                        declared(r.var(), "loop variable");
                        statements(r.body());
                    }
                    case Stmt.For f -> {
                        declared(f.var(), "loop variable");
                        statements(f.body());
                    }
                    default -> { }
                }
            }
        }

        void declared(Ident name, String what) {
            Symbol.Global hidden = scope.prelude.get(name.name());
            if (hidden == null) return;
            diagnostics.add(new Diagnostic(ErrorCode.W0301, Severity.WARNING, name.span(),
                    what + " `" + name.name() + "` hides the prelude's `" + name.name() + "`",
                    List.of(new Diagnostic.Note("the prelude defines it here", hidden.definition().span())),
                    List.of("rename it (e.g. `my_" + name.name() + "`) so that `" + name.name() + "` keeps meaning the prelude's")));
        }
    }
}
