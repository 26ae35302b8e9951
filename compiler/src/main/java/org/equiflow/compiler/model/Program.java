package org.equiflow.compiler.model;

import java.util.List;

/**
 * A checked script's theory instances, flows and runs: the part of a checked program that the
 * model describes, without the checker's name resolution ({@code check.CheckedProgram} adds it).
 */
public interface Program {
    /** The script's display name. */
    String file();

    List<TheoryInstance> theories();

    List<FlowModel> flows();

    List<RunSpec> runs();
}
