package org.equiflow.compiler.check;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Let;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.SourceFile;
import org.equiflow.compiler.modules.LoadedModule;
import org.equiflow.compiler.parse.SourceParser;

/**
 * Parses command-line overrides {@code INSTANCE.PARAM=VALUE} (as in {@code --set T.m2=-3.5}).
 * Values are literals — numbers, booleans, lists of them — so one script serves a scan without
 * editing. Errors are reported as diagnostics of a pseudo-file named after the option.
 */
final class Overrides {
    private Overrides() {}

    static Map<String, Map<String, Expr>> parse(Map<String, String> raw, LoadedModule root, Diagnostics diagnostics) {
        Map<String, Map<String, Expr>> out = new LinkedHashMap<>();
        raw.forEach((key, value) -> {
            int dot = key.indexOf('.');
            if (dot <= 0 || dot == key.length() - 1) {
                diagnostics.add(new Diagnostic(ErrorCode.E0701, Severity.ERROR, null,
                        "--set " + key + "=" + value + ": the name must be INSTANCE.PARAMETER", List.of(),
                        List.of("e.g. --set T.m2=-3.5 or --set T.lattice=[16,16]")));
                return;
            }
            var source = SourceFile.of("--set " + key, "let value = " + value + "\n");
            int before = diagnostics.all().size();
            var module = SourceParser.parse(source, diagnostics);
            Expr expr = module.filter(m -> m.items().size() == 1 && m.items().get(0) instanceof Let)
                    .map(m -> ((Let) m.items().get(0)).value()).orElse(null);
            if (expr == null || !literal(expr)) {
                if (diagnostics.all().size() == before) {
                    diagnostics.add(new Diagnostic(ErrorCode.E0701, Severity.ERROR, null,
                            "--set " + key + "=" + value + ": the value must be a literal (a number, true/false, or a list such as [16, 16])",
                            List.of(), List.of()));
                }
                return;
            }
            out.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>()).put(key.substring(dot + 1), expr);
        });
        return out;
    }

    private static boolean literal(Expr e) {
        return switch (e) {
            case Expr.IntLit i -> true;
            case Expr.RealLit r -> true;
            case Expr.BoolLit b -> true;
            case Expr.Unary u -> u.op() == Expr.UnaryOp.NEG && (u.operand() instanceof Expr.IntLit || u.operand() instanceof Expr.RealLit);
            case Expr.ListLit l -> l.elements().stream().allMatch(Overrides::literal);
            default -> false;
        };
    }
}
