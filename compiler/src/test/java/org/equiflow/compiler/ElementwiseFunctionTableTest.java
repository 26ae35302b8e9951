package org.equiflow.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Param;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.ir.Op;
import org.equiflow.compiler.model.ElementwiseFunction;
import org.equiflow.compiler.model.Parity;
import org.equiflow.compiler.modules.ModuleLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prelude's {@code extern activation} declarations say what {@link ElementwiseFunction}
 * says, row by row (name, parity, parameter and its default), and a row runs exactly when
 * lowering has an op for it. Adding a row without its declaration, or declaring a function
 * with another parity than the table's, fails here.
 */
class ElementwiseFunctionTableTest {

    @TempDir Path directory;

    private Map<String, Item.ExternDef> preludeActivations() throws IOException {
        Path empty = Files.writeString(directory.resolve("empty.flow"), "");
        var loader = new ModuleLoader(new Diagnostics());
        loader.loadRoot(empty, "empty.flow");
        Map<String, Item.ExternDef> declared = new LinkedHashMap<>();
        for (Item item : loader.prelude().ast().items()) {
            if (item instanceof Item.ExternDef e && e.kind().name().equals("activation")) declared.put(e.name().name(), e);
        }
        return declared;
    }

    @Test
    void thePreludeDeclaresEveryRowAndNothingElse() throws IOException {
        assertEquals(ElementwiseFunction.languageNames().stream().sorted().toList(),
                preludeActivations().keySet().stream().sorted().toList(), "the prelude declares the table's functions");
    }

    @Test
    void theDeclaredParityIsTheTables() throws IOException {
        for (var e : preludeActivations().entrySet()) {
            Parity declared = e.getValue().has("odd") ? Parity.ODD : e.getValue().has("even") ? Parity.EVEN : Parity.NONE;
            assertEquals(ElementwiseFunction.named(e.getKey()).orElseThrow().parity(), declared, e.getKey());
        }
    }

    @Test
    void theDeclaredParameterIsTheTables() throws IOException {
        for (var e : preludeActivations().entrySet()) {
            List<Param> params = e.getValue().params();
            Optional<ElementwiseFunction.Parameter> row = ElementwiseFunction.named(e.getKey()).orElseThrow().parameter();
            assertEquals(row.isPresent() ? 1 : 0, params.size(), e.getKey() + "'s parameters");
            if (row.isEmpty()) continue;
            assertEquals(row.get().name(), params.getFirst().name().name(), e.getKey());
            assertTrue(params.getFirst().defaultValue() instanceof Expr.RealLit r && r.value() == row.get().byDefault(),
                    e.getKey() + "'s default is the table's " + row.get().byDefault());
        }
    }

    @Test
    void aRowRunsExactlyWhenLoweringHasAnOpForIt() {
        for (ElementwiseFunction f : ElementwiseFunction.values()) {
            // identity lowers to its operand, relu to leaky_relu with slope 0: neither needs an op of its own.
            boolean lowered = f == ElementwiseFunction.IDENTITY || f == ElementwiseFunction.RELU || Op.UnaryFn.computing(f).isPresent();
            assertEquals(f.runs(), lowered, f.languageName());
        }
    }

    @Test
    void everyOpComputesADifferentRow() {
        var computed = java.util.Arrays.stream(Op.UnaryFn.values()).flatMap(fn -> fn.computes().stream()).toList();
        assertEquals(computed.size(), computed.stream().distinct().count(), "two ops compute the same function: " + computed);
    }
}
