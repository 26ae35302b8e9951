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
        requireSampleAxis(shape, meta);
        Path array = writeArray(directory, name, configs, shape);
        return new EnsembleFiles(array, writeSidecar(array, shape, meta, run));
    }

    /**
     * The first half of {@link #write(Path, String, float[], int[], EnsembleMetadata, Map)}: the array alone, atomically, as
     * {@code <name>.npy}. It needs no measurement, so a sampler can write it while the measurements run, then
     * {@link #writeSidecar} once they are done.
     */
    public static Path writeArray(Path directory, String name, float[] configs, int[] shape) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("ensemble name must be a plain file stem, got '" + name + "'");
        }
        Path array = directory.resolve(name + ".npy");
        Npy.write(array, configs, shape);
        return array;
    }

    /** The second half: {@code <name>.json} beside a complete {@code array} written by {@link #writeArray}. */
    public static Path writeSidecar(Path array, int[] shape, EnsembleMetadata meta, Map<String, Object> run) throws IOException {
        requireSampleAxis(shape, meta);
        String fileName = array.getFileName().toString();
        Path sidecar = array.resolveSibling(fileName.substring(0, fileName.length() - ".npy".length()) + ".json");
        ObjectNode json = meta.toJson();
        json.put("array_file", array.getFileName().toString());
        json.put("dtype", Npy.FLOAT32);
        json.putArray("shape").addAll(Arrays.stream(shape).mapToObj(json::numberNode).toList());
        if (!run.isEmpty()) json.set("run", new ObjectMapper().valueToTree(run));
        EnsembleMetadata.writeJson(sidecar, json);
        return sidecar;
    }

    /** Checked before anything is written, so that a mismatch never leaves an array without its sidecar. */
    private static void requireSampleAxis(int[] shape, EnsembleMetadata meta) {
        if (shape.length == 0 || shape[0] != meta.count()) {
            throw new IllegalArgumentException("the array's first axis (shape " + Arrays.toString(shape)
                    + ") must count the samples, and the metadata says count = " + meta.count());
        }
    }
}
