package org.equiflow.truffle;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.TruffleLanguage;

/**
 * The Truffle language of lowered flows. equiflow builds its programs from checked IR (see
 * {@link IrTranslator}) rather than from source text handed to a polyglot context, so parsing a
 * source through this language is refused with a pointer to the command line.
 */
@TruffleLanguage.Registration(id = FlowLanguage.ID, name = "equiflow IR", version = "0.1",
        characterMimeTypes = FlowLanguage.MIME_TYPE, contextPolicy = TruffleLanguage.ContextPolicy.SHARED)
public final class FlowLanguage extends TruffleLanguage<FlowLanguage.Context> {
    public static final String ID = "equiflow";
    public static final String MIME_TYPE = "application/x-equiflow-ir";

    /** No per-context state: programs carry their parameters and masks in their nodes. */
    public static final class Context {}

    @Override
    protected Context createContext(Env env) { return new Context(); }

    @Override
    protected CallTarget parse(ParsingRequest request) {
        throw new UnsupportedOperationException(
                "equiflow programs are compiled from .flow scripts by the equiflow command line, not parsed from polyglot sources");
    }
}
