package org.equiflow.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * An ensemble on disk: {@code <name>.npy} with the configurations (first axis: sample) and {@code <name>.json}
 * beside it with the {@link EnsembleMetadata} plus the array's file name, dtype and shape.
 *
 * <p>In Python: {@code numpy.load("phi4.npy")} and {@code json.load(open("phi4.json"))}.
 */
public final class Ensembles {

    /** Where {@link #write} put the two files. */
    public record EnsembleFiles(Path array, Path sidecar) {}

    private Ensembles() {}

    /**
     * Writes the array, then the sidecar, each atomically. The sidecar goes last so that a sidecar on disk always
     * describes a complete array.
     *
     * @param name file stem, without directory or extension
     */
    public static EnsembleFiles write(Path directory, String name, float[] configs, int[] shape, EnsembleMetadata meta)
            throws IOException {
        return write(directory, name, configs, shape, meta, Map.of());
    }

    /** As {@link #write(Path, String, float[], int[], EnsembleMetadata)}, with {@code run} stored under the sidecar's key "run". */
    public static EnsembleFiles write(Path directory, String name, float[] configs, int[] shape, EnsembleMetadata meta,
            Map<String, Object> run) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("ensemble name must be a plain file stem, got '" + name + "'");
        }
        if (shape.length == 0 || shape[0] != meta.count()) {
            throw new IllegalArgumentException("the array's first axis (shape " + Arrays.toString(shape)
                    + ") must count the samples, and the metadata says count = " + meta.count());
        }
        Path array = directory.resolve(name + ".npy");
        Path sidecar = directory.resolve(name + ".json");
        Npy.write(array, configs, shape);
        ObjectNode json = meta.toJson();
        json.put("array_file", array.getFileName().toString());
        json.put("dtype", Npy.FLOAT32);
        json.putArray("shape").addAll(Arrays.stream(shape).mapToObj(json::numberNode).toList());
        if (!run.isEmpty()) json.set("run", new ObjectMapper().valueToTree(run));
        EnsembleMetadata.writeJson(sidecar, json);
        return new EnsembleFiles(array, sidecar);
    }
}
