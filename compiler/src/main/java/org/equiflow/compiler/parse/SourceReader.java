package org.equiflow.compiler.parse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.SourceFile;
import org.equiflow.compiler.diag.Span;

/**
 * Turns bytes into a {@link SourceFile}, refusing what cannot be a .flow script: unreadable,
 * binary, oversized or empty input. Postcondition: a returned file is valid UTF-8 text without
 * NUL characters, at most {@link #MAX_BYTES} long, with at least one non-blank character.
 */
public final class SourceReader {
    /** Real scripts are a few kilobytes; anything this large is generated or not a script. */
    public static final int MAX_BYTES = 1 << 20;

    private SourceReader() {}

    public static Optional<SourceFile> read(Path path, String displayName, Diagnostics diagnostics) {
        try {
            if (Files.isDirectory(path)) {
                report(diagnostics, ErrorCode.E0001, displayName, "`" + displayName + "` is a directory, not a .flow file",
                        "pass the .flow files inside it, e.g. `" + displayName + "/*.flow`");
                return Optional.empty();
            }
            // Read at most one byte past the limit: Files.size says 0 for devices and pipes
            // (/dev/zero, /dev/stdin), which would otherwise be read until the heap is gone.
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (bytes.length > MAX_BYTES) {
                long size = Files.isRegularFile(path) ? Files.size(path) : -1;
                report(diagnostics, ErrorCode.E0003, displayName,
                        size < 0 ? String.format("`%s` holds more than %d KB (it is not a regular file); .flow scripts are limited to %d KB",
                                        displayName, MAX_BYTES / 1024, MAX_BYTES / 1024)
                                : String.format("`%s` is %.1f MB; .flow scripts are limited to %d KB", displayName, size / 1e6, MAX_BYTES / 1024),
                        "check that this is the script you meant; large tables belong in data files, not in the script");
                return Optional.empty();
            }
            return decode(bytes, displayName, diagnostics);
        } catch (NoSuchFileException e) {
            report(diagnostics, ErrorCode.E0001, displayName, "no such file `" + displayName + "`",
                    "check the path; it is resolved from the current directory");
        } catch (IOException e) {
            report(diagnostics, ErrorCode.E0001, displayName,
                    "cannot read `" + displayName + "`: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
                    "check the file's permissions");
        }
        return Optional.empty();
    }

    /** Validates in-memory bytes (a file already read, or a standard-library resource). */
    public static Optional<SourceFile> decode(byte[] bytes, String displayName, Diagnostics diagnostics) {
        if (bytes.length > MAX_BYTES) {
            report(diagnostics, ErrorCode.E0003, displayName,
                    String.format("`%s` is %.1f MB; .flow scripts are limited to %d KB", displayName,
                            bytes.length / 1e6, MAX_BYTES / 1024),
                    "check that this is the script you meant");
            return Optional.empty();
        }
        int nul = indexOf(bytes, (byte) 0);
        String text;
        try {
            if (nul >= 0) throw new CharacterCodingException();
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            report(diagnostics, ErrorCode.E0002, displayName,
                    "`" + displayName + "` is not a text file (" + (nul >= 0 ? "it contains NUL bytes" : "it is not valid UTF-8") + ")",
                    ".flow scripts are UTF-8 text; check that you passed the script and not a checkpoint or binary");
            return Optional.empty();
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        if (text.isBlank()) {
            report(diagnostics, ErrorCode.E0004, displayName, "`" + displayName + "` is empty: there is nothing to check",
                    "a script declares at least a theory, e.g. `theory T = phi4(lattice = [8, 8], m2 = -4.0, lambda = 8.0)`");
            return Optional.empty();
        }
        return Optional.of(SourceFile.of(displayName, text));
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) if (bytes[i] == b) return i;
        return -1;
    }

    /** File-level problems have no position inside the text: they point at the file's first character. */
    private static void report(Diagnostics diagnostics, ErrorCode code, String displayName, String message, String help) {
        Span at = new Span(SourceFile.of(displayName, ""), 0, 0);
        diagnostics.add(new Diagnostic(code, Severity.ERROR, at, message, java.util.List.of(), java.util.List.of(help)));
    }
}
