// Where a recorded run spends its CPU, by layer of the runtime: each JFR execution sample is charged
// to its innermost equiflow or Truffle frame (inlined frames count as frames, so JDK code — the
// Vector API inside a kernel, a HashMap inside the memory plan — counts for the layer that called
// it): the Truffle nodes, the tape, the memory plan, the tensor front end (Ops, Shape, Tensor, the
// backend dispatch), the CPU kernels, the rest of equiflow, or no equiflow frame at all (JIT, GC,
// JFR itself). Record with, e.g.:
//   EQUIFLOW_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/step.jfr,settings=profile" \
//       bin/equiflow bench --L 8 --batch 64 --cases train --reference off --in-process --min-time 20
// then run (any JDK 25):
//   java docs/tools/JfrSelfTime.java /tmp/step.jfr
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

public class JfrSelfTime {
    /** First match wins: prefixes of a frame's class name, by layer. */
    static final String[][] LAYERS = {
        {"Truffle nodes and call targets", "org.equiflow.truffle.", "com.oracle.truffle."},
        {"tape (autodiff)", "org.equiflow.tensor.Tape"},
        {"memory plan (BufferArena)", "org.equiflow.tensor.BufferArena"},
        {"tensor front end (Ops, Shape, Tensor, backend dispatch)", "org.equiflow.tensor.Ops", "org.equiflow.tensor.Shape",
                "org.equiflow.tensor.Tensor", "org.equiflow.tensor.CpuBackend", "org.equiflow.tensor.Backends"},
        {"a block worker spinning for the next call", "org.equiflow.tensor.cpu.CpuParallel$BlockWorker"},
        {"CPU kernels (tensor.cpu, primitives' own code)", "org.equiflow.tensor."},
        {"Adam, trainer, sampler, prior", "org.equiflow."},
    };

    public static void main(String[] args) throws Exception {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String[] layer : LAYERS) counts.put(layer[0], 0);
        counts.put("no equiflow frame (JIT, GC, JFR, idle pool threads)", 0);
        int total = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) continue;
            var frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) continue;
            String layer = "no equiflow frame (JIT, GC, JFR, idle pool threads)";
            for (RecordedFrame frame : frames) {
                String type = frame.getMethod().getType().getName();
                String found = null;
                for (String[] candidate : LAYERS) {
                    for (int i = 1; i < candidate.length && found == null; i++) if (type.startsWith(candidate[i])) found = candidate[0];
                    if (found != null) break;
                }
                if (found != null) {
                    layer = found;
                    break;
                }
            }
            counts.merge(layer, 1, Integer::sum);
            total++;
        }
        System.out.println("| charged to | samples | share |");
        System.out.println("|---|---|---|");
        for (var e : counts.entrySet()) {
            System.out.printf("| %s | %d | %.1f %% |%n", e.getKey(), e.getValue(), total == 0 ? 0 : 100.0 * e.getValue() / total);
        }
        System.out.println("| all | " + total + " | |");
    }
}
