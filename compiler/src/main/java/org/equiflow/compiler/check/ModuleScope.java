package org.equiflow.compiler.check;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.modules.LoadedModule;

/** The names visible at the top level of one module: its own definitions, its imports, the prelude. */
public final class ModuleScope {
    final LoadedModule module;
    final Map<String, Symbol.Global> own = new LinkedHashMap<>();
    final Map<String, Symbol.Global> imported = new LinkedHashMap<>();
    final Map<String, Item.Use> importedBy = new LinkedHashMap<>();
    final Map<String, Symbol.Global> prelude = new LinkedHashMap<>();

    ModuleScope(LoadedModule module) { this.module = module; }

    public Optional<Symbol.Global> lookup(String name) {
        if (own.containsKey(name)) return Optional.of(own.get(name));
        if (imported.containsKey(name)) return Optional.of(imported.get(name));
        return Optional.ofNullable(prelude.get(name));
    }

    public Set<String> visibleNames() {
        var names = new TreeSet<String>(own.keySet());
        names.addAll(imported.keySet());
        names.addAll(prelude.keySet());
        return names;
    }

    public Map<String, Symbol.Global> definitions() { return own; }
}
