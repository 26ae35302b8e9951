package org.equiflow.compiler.modules;

import java.nio.file.Path;
import org.equiflow.compiler.ast.Module;

/**
 * A parsed module and its identity: {@code std/nets.flow} for the standard library, the
 * normalized absolute path for a user's file (directory is where its relative imports start).
 */
public record LoadedModule(String key, Module ast, Path directory, boolean isStandard) {

    public boolean isPrelude() { return key.equals(ModuleLoader.PRELUDE); }

    public String displayName() { return ast.source().displayName(); }
}
