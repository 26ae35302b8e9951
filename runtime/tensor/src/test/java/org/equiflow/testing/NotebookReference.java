package org.equiflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PyTorch reference's exported notebook model and test vectors
 * ({@code <shared>/bench/ref-pytorch/*.json}), for the tests that check our forward pass against it.
 */
public final class NotebookReference {

    private NotebookReference() {
    }

    /** Where the shared folder sits: beside the repository, {@code <repo>/../shared}, or {@code -Dequiflow.shared}. */
    public static Path sharedFolder() {
        String override = System.getProperty("equiflow.shared");
        if (override != null) return Path.of(override);
        return Repository.root().getParent().resolve("shared");
    }

    /** One of the reference's JSON files, e.g. {@code reference_L8_tutorial_seed0.json}. */
    public static JsonNode read(String name) throws IOException {
        Path file = sharedFolder().resolve("bench").resolve("ref-pytorch").resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("reference file " + file + " is missing: the shared folder must sit beside"
                    + " the repository (<repo>/../shared), or pass -Dequiflow.shared=/path/to/shared");
        }
        return new ObjectMapper().readTree(file.toFile());
    }

    /** The numbers of nested JSON arrays in row-major order, PyTorch's layout and ours. */
    public static double[] values(JsonNode node) {
        List<Double> list = new ArrayList<>();
        flatten(node, list);
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void flatten(JsonNode node, List<Double> into) {
        if (node.isArray()) node.forEach(n -> flatten(n, into));
        else into.add(node.asDouble());
    }
}
