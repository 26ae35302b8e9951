package org.equiflow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.equiflow.compiler.Compiler;
import org.equiflow.sample.Proposals;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Tensor;
import org.equiflow.tensor.BatchBlocks;
import org.equiflow.truffle.CompiledFlow;
import org.junit.jupiter.api.Test;
import org.equiflow.testing.Repository;

/**
 * A training step or a sampling batch cut into blocks of configurations, each run through the
 * whole flow on its own thread, computes what the uncut batch computes: the same loss, the same
 * parameters after Adam, the same configurations and densities. Float64, so any difference
 * beyond summation order would show.
 */
class BlockedBatchTest {
    static final Path REPO = Repository.root();
    /** Three configurations per block at L = 8: a batch of 16 in 6 blocks of 2 or 3. */
    static final int SMALL_BLOCKS = 3 * 64;

    static CompiledFlow compile(String example, String flowName) {
        Compiler.Result checked = Compiler.check(REPO.resolve("examples").resolve(example), example);
        assertTrue(checked.ok(), example + " checks");
        return new CompiledFlow(Compiler.lower(checked, flowName, null).orElseThrow(), DType.F64, 3);
    }

    @Test
    void theSmallBlocksReallyCutTheBatch() {
        var flow = compile("phi4_tutorial.flow", "realnvp");
        var blocks = BatchBlocks.of(flow.fieldShape(16), SMALL_BLOCKS);
        assertEquals(6, blocks.count());
        assertEquals(1, BatchBlocks.of(flow.fieldShape(16), Integer.MAX_VALUE).count());
    }

    @Test
    void aBlockedTrainingStepEqualsTheWholeBatchStep() {
        var whole = compile("phi4_tutorial.flow", "realnvp");
        var blocked = compile("phi4_tutorial.flow", "realnvp");
        var wholeTrainer = new Trainer(whole, Trainer.adamFor(whole, 1e-3), 11, Integer.MAX_VALUE);
        var blockedTrainer = new Trainer(blocked, Trainer.adamFor(blocked, 1e-3), 11, SMALL_BLOCKS);
        for (int step = 0; step < 3; step++) {
            Trainer.Step a = wholeTrainer.step(step, 16), b = blockedTrainer.step(step, 16);
            assertEquals(a.loss(), b.loss(), 1e-12 * Math.abs(a.loss()), "loss at step " + step);
            assertEquals(a.ess(), b.ess(), 1e-12, "ESS at step " + step);
            assertEquals(a.acceptance(), b.acceptance(), 1e-12, "acceptance estimate at step " + step);
        }
        List<Tensor> p = List.copyOf(whole.parameters().all()), q = List.copyOf(blocked.parameters().all());
        double largestMove = 0;
        for (int k = 0; k < p.size(); k++) {
            for (int i = 0; i < p.get(k).size(); i++) {
                assertEquals(p.get(k).get(i), q.get(k).get(i), 1e-10, whole.parameterNames().get(k) + "[" + i + "]");
            }
        }
        // The comparison means something only if training moved the parameters.
        var initial = List.copyOf(compile("phi4_tutorial.flow", "realnvp").parameters().all());
        for (int k = 0; k < p.size(); k++) {
            for (int i = 0; i < p.get(k).size(); i++) largestMove = Math.max(largestMove, Math.abs(p.get(k).get(i) - initial.get(k).get(i)));
        }
        assertTrue(largestMove > 1e-3, "three Adam steps at lr 1e-3 moved a parameter by " + largestMove);
    }

    @Test
    void blockedProposalsEqualTheWholeBatchOnesWithTheSelfMixturesSignFlipsInPlace() {
        for (String[] example : new String[][] {{"phi4_tutorial.flow", "realnvp"}, {"phi4_symmetrized.flow", "mixture"}}) {
            var flow = compile(example[0], example[1]);
            Proposals.Batch a = new Proposals(flow, 5, Integer.MAX_VALUE).next(16);
            Proposals.Batch b = new Proposals(flow, 5, SMALL_BLOCKS).next(16);
            for (int i = 0; i < a.configs().length; i++) assertEquals(a.configs()[i], b.configs()[i], 0f, example[0] + " value " + i);
            for (int k = 0; k < a.size(); k++) {
                assertEquals(a.logQ()[k], b.logQ()[k], 1e-12 * Math.abs(a.logQ()[k]), example[0] + " log q " + k);
                assertEquals(a.action()[k], b.action()[k], 1e-12 * Math.abs(a.action()[k]), example[0] + " S " + k);
            }
        }
    }
}
