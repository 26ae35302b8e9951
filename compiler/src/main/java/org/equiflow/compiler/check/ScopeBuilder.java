package org.equiflow.compiler.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.modules.LoadedModule;
import org.equiflow.compiler.modules.ModuleLoader;
import org.equiflow.compiler.parse.Suggestions;

/**
 * Builds the top-level scope of every loaded module. Postcondition: without errors, each
 * module's definitions have distinct names, every imported name exists in its module, and no
 * import collides with a definition or another import.
 */
public final class ScopeBuilder {
    private ScopeBuilder() {}

    public static Map<String, ModuleScope> build(ModuleLoader loader, Diagnostics diagnostics) {
        Map<String, ModuleScope> scopes = new LinkedHashMap<>();
        for (LoadedModule module : loader.modules().values()) {
            ModuleScope scope = new ModuleScope(module);
            for (Item item : module.ast().items()) {
                if (!(item instanceof Item.Definition def)) continue;
                Ident name = def.name();
                var previous = scope.own.putIfAbsent(name.name(), new Symbol.Global(def, module));
                if (previous != null) {
                    diagnostics.add(new Diagnostic(ErrorCode.E0301, Severity.ERROR, name.span(),
                            "`" + name.name() + "` is defined twice in this module",
                            List.of(new Diagnostic.Note("first defined here", previous.declaredAt())),
                            List.of("rename one of them")));
                }
            }
            scopes.put(module.key(), scope);
        }
        ModuleScope prelude = scopes.get(ModuleLoader.PRELUDE);
        for (ModuleScope scope : scopes.values()) {
            if (prelude != null && scope != prelude) scope.prelude.putAll(prelude.own);
            for (Item item : scope.module.ast().items()) {
                if (item instanceof Item.Use use) importNames(scope, use, loader, scopes, diagnostics);
            }
        }
        return scopes;
    }

    private static void importNames(ModuleScope scope, Item.Use use, ModuleLoader loader,
                                    Map<String, ModuleScope> scopes, Diagnostics diagnostics) {
        String key = loader.target(use);
        if (key == null) return;
        ModuleScope from = scopes.get(key);
        if (loader.importsWholeModule(use)) {
            for (var entry : from.own.entrySet()) add(scope, use, entry.getValue(), use.span(), diagnostics);
            return;
        }
        for (Ident name : use.names()) {
            var symbol = from.own.get(name.name());
            if (symbol == null) {
                List<String> help = new ArrayList<>();
                Suggestions.closest(name.name(), from.own.keySet()).ifPresent(s -> help.add("did you mean `" + s + "`?"));
                help.add("`" + use.moduleName() + "` defines: " + String.join(", ", new java.util.TreeSet<>(from.own.keySet())));
                diagnostics.add(new Diagnostic(ErrorCode.E0202, Severity.ERROR, name.span(),
                        "module `" + use.moduleName() + "` has no definition named `" + name.name() + "`", List.of(), help));
                continue;
            }
            add(scope, use, symbol, name.span(), diagnostics);
        }
    }

    private static void add(ModuleScope scope, Item.Use use, Symbol.Global symbol, org.equiflow.compiler.diag.Span at,
                            Diagnostics diagnostics) {
        String name = symbol.name();
        if (scope.own.containsKey(name)) {
            diagnostics.add(new Diagnostic(ErrorCode.E0203, Severity.ERROR, at,
                    "imported `" + name + "` collides with a definition of this module",
                    List.of(new Diagnostic.Note("defined here", scope.own.get(name).declaredAt())),
                    List.of("rename the local definition, or import only the names you need: `use "
                            + use.moduleName() + ".{…}`")));
            return;
        }
        var previous = scope.imported.get(name);
        if (previous != null && previous.definition() != symbol.definition()) {
            diagnostics.add(new Diagnostic(ErrorCode.E0203, Severity.ERROR, at,
                    "`" + name + "` is imported from two modules",
                    List.of(new Diagnostic.Note("first imported here", scope.importedBy.get(name).span())),
                    List.of("import it from one module only")));
            return;
        }
        scope.imported.put(name, symbol);
        scope.importedBy.put(name, use);
    }
}
