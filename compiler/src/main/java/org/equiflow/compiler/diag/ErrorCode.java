package org.equiflow.compiler.diag;

/**
 * Stable diagnostic codes. A code, once published, keeps its meaning; new checks get new codes.
 * Ranges: E00xx input files, E01xx syntax, E02xx modules, E03xx names and calls,
 * E04xx symmetries (the equivariance checker adds to this range), E05xx types, E06xx lattices and shapes, E07xx run settings, E08xx lowering; W… warnings.
 * Every code has at least one failing program in compiler/src/test/resources/golden/invalid.
 */
public enum ErrorCode {
    // input files
    E0001("cannot read source file"),
    E0002("source file is not text"),
    E0003("source file too large"),
    E0004("source file is empty"),

    // syntax
    E0100("unexpected token"),
    E0101("unclosed or mismatched delimiter"),
    E0102("unknown keyword"),
    E0103("stray character"),
    E0104("unterminated block comment"),
    E0105("number out of range"),
    E0106("nesting too deep"),

    // modules
    E0200("unknown module"),
    E0201("import cycle"),
    E0202("name not found in module"),
    E0203("conflicting imports"),

    // names and calls
    E0300("unknown name"),
    E0301("duplicate definition"),
    E0302("unknown argument name"),
    E0303("missing required argument"),
    E0304("argument given twice"),
    E0305("too many positional arguments"),
    E0306("not callable"),
    E0307("statement not allowed here"),
    E0308("unknown setting"),
    E0309("unknown primitive"),
    E0310("primitive redeclared"),
    E0311("cyclic definition"),

    // symmetries (the equivariance checker fills this range)
    E0400("unknown symmetry"),
    E0401("symmetry transformation refers to an unknown field"),
    E0402("action breaks a declared symmetry"),
    E0410("flow breaks a symmetry it claims"),
    E0411("conditioner would read raw links"),

    // types
    E0500("type mismatch"),
    E0501("unknown type"),
    E0502("unknown field type"),
    E0503("wrong index for a field"),
    E0504("lattice index used outside a lattice sum"),
    E0505("cannot infer the kind of a lattice index"),
    E0506("wrong operand types"),
    E0507("value must be known at compile time"),
    E0508("flow target is not a theory"),
    E0509("flow has no prior"),
    E0510("theory has no action"),
    E0511("division by zero"),
    E0512("integer overflow"),

    // lattices and shapes
    E0600("invalid lattice shape"),
    E0601("mask does not fit the lattice"),
    E0602("channel count mismatch"),
    E0603("invalid kernel size"),
    E0604("empty or invalid range"),
    E0605("layer does not apply to this field"),
    E0606("value out of range"),
    E0607("program too large after unrolling"),

    // run settings
    E0700("run block refers to an unknown flow or theory"),
    E0701("invalid setting value"),
    E0702("setting given twice"),

    // lowering to the runtime
    E0800("not supported by the runtime yet"),

    // warnings
    W0001("unused import"),
    W0301("prelude name shadowed"),
    W0410("flow breaks a symmetry of its theory");

    private final String title;

    ErrorCode(String title) { this.title = title; }

    public String id() { return name(); }

    public String title() { return title; }

    public boolean isWarning() { return name().startsWith("W"); }
}
