package org.equiflow.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnsemblesTest {

    @TempDir
    Path dir;

    private static EnsembleMetadata metadata(long count, double acceptance) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("m2", -4.0);
        parameters.put("lambda", 8.0);
        return new EnsembleMetadata("T", parameters, List.of(4, 4), "real_scalar", "realnvp", "examples/phi4.flow",
                Checkpoint.sha256Hex("theory T = phi4(...)"), 1234L, "independence_metropolis", count, acceptance,
                0.62, Instant.parse("2025-01-02T03:04:05Z"), "0.1.0",
                Map.of("magnetization", Map.of("value", 0.41, "error", 0.01)));
    }

    @Test
    void writesArrayAndSidecarThatDescribeEachOther() throws IOException {
        float[] configs = new float[3 * 4 * 4];
        for (int i = 0; i < configs.length; i++) configs[i] = i * 0.125f;
        EnsembleMetadata meta = metadata(3, 0.37);

        Ensembles.EnsembleFiles files = Ensembles.write(dir, "phi4", configs, new int[] {3, 4, 4}, meta);

        assertEquals(dir.resolve("phi4.npy"), files.array());
        assertEquals(dir.resolve("phi4.json"), files.sidecar());
        assertArrayEquals(configs, Npy.readFloats(files.array()).data());
        JsonNode json = new ObjectMapper().readTree(files.sidecar().toFile());
        assertEquals("phi4.npy", json.get("array_file").asText());
        assertEquals("[3,4,4]", json.get("shape").toString());
        assertEquals("<f4", json.get("dtype").asText());
        assertEquals(-4.0, json.get("theory_parameters").get("m2").asDouble());
        assertEquals("2025-01-02T03:04:05Z", json.get("created_at").asText());
        assertEquals(0.41, json.get("observables").get("magnetization").get("value").asDouble());
        assertEquals(meta, EnsembleMetadata.read(files.sidecar()));
    }

    @Test
    void nonFiniteAcceptanceBecomesNullAndReadsBackAsNaN() throws IOException {
        EnsembleMetadata meta = metadata(1, Double.NaN);
        Ensembles.EnsembleFiles files = Ensembles.write(dir, "reweighted", new float[2], new int[] {1, 2}, meta);
        JsonNode json = new ObjectMapper().readTree(files.sidecar().toFile());
        assertTrue(json.get("acceptance").isNull());
        assertTrue(Double.isNaN(EnsembleMetadata.read(files.sidecar()).acceptance()));
    }

    /** The array first (a sampler writes it while the chain is measured), the sidecar later: the files {@code write} leaves. */
    @Test
    void arrayThenSidecarAreTheFilesOfOneWrite() throws IOException {
        float[] configs = {0.5f, -1.25f, 2f, 3.5f, -0f, 7f};
        var meta = metadata(3, 0.25);
        Path together = Files.createDirectories(dir.resolve("together")), apart = Files.createDirectories(dir.resolve("apart"));
        var files = Ensembles.write(together, "e", configs, new int[] {3, 2}, meta, Map.of("seed", 4));
        Path array = Ensembles.writeArray(apart, "e", configs, new int[] {3, 2});
        Path sidecar = Ensembles.writeSidecar(array, new int[] {3, 2}, meta, Map.of("seed", 4));
        assertEquals(apart.resolve("e.json"), sidecar);
        assertArrayEquals(Files.readAllBytes(files.array()), Files.readAllBytes(array));
        assertEquals(Files.readString(files.sidecar()), Files.readString(sidecar));
    }

    @Test
    void refusesCountThatDisagreesWithTheArrayAndPathLikeNames() throws IOException {
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> Ensembles.write(dir, "e", new float[8], new int[] {2, 4}, metadata(3, 0.5)));
        assertTrue(count.getMessage().contains("count = 3"), count.getMessage());
        assertFalse(Files.exists(dir.resolve("e.npy")), "checked before the array is written, so no array is left without its sidecar");
        assertThrows(IllegalArgumentException.class,
                () -> Ensembles.write(dir, "../escape", new float[8], new int[] {2, 4}, metadata(2, 0.5)));
    }
}
