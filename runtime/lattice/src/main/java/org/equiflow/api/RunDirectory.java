package org.equiflow.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.equiflow.io.AtomicFiles;

/**
 * A run directory held by one command: locked against a second equiflow for the command's whole
 * duration, checked writable before any work, cleaned of what a killed run left behind, and the
 * place where a sampling result is committed as one unit.
 *
 * <h2>Layout</h2>
 * <pre>
 * DIR/checkpoint.eqf, DIR/metrics.csv     training (each replaced atomically)
 * DIR/result -> .results/&lt;id&gt;            the current sampling result, a symlink swapped by one rename
 * DIR/.results/&lt;id&gt;/ensemble.npy, ensemble.json, ensemble_log_weights.npy (reweighting), report/
 * DIR/ensemble.npy -> result/ensemble.npy (likewise ensemble.json, ensemble_log_weights.npy, report)
 * DIR/.lock                               held with FileChannel.tryLock while a command runs; holds its pid
 * </pre>
 * A result is written completely into a fresh {@code .results/<id>} and only then made current by
 * renaming a new symlink over {@code result}, which is atomic: a reader — or a run killed at any
 * moment — sees the previous result or the new one, never the array of one run with the metadata
 * of another. The stable names in DIR resolve through {@code result}, so {@code numpy.load("DIR/ensemble.npy")}
 * keeps working; a reader that opens several files and must not straddle a commit opens them
 * under {@code DIR/result/} after resolving it once.
 */
public final class RunDirectory implements AutoCloseable {
    public static final String LOCK = ".lock";
    public static final String RESULTS = ".results";
    public static final String CURRENT = "result";
    /** The files of a result, reachable at DIR/<name> through the {@code result} link. */
    public static final List<String> RESULT_ENTRIES = List.of("ensemble.npy", "ensemble.json", "ensemble_log_weights.npy", "report");
    private static final String NEW_LINK_PREFIX = ".result.new-";

    private final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private RunDirectory(Path directory, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public Path path() { return directory; }

    /**
     * Where a flow's run lives when no directory is given: runs/&lt;script&gt;/&lt;flow&gt;, plus a
     * subdirectory named after the overrides ({@link #overrideLabel}) so each point of a scan has its own.
     */
    public static Path defaultPath(String script, String flow, Map<String, String> overrides) {
        return Workspace.directory(script, flow, null, overrides);
    }

    /**
     * The overrides as one directory name: sorted by parameter (so their order does not matter),
     * {@code T.lattice=16x16,T.m2=-3.5}; characters a file name or a shell would trip over become {@code _}.
     */
    public static String overrideLabel(Map<String, String> overrides) {
        return Workspace.overrideLabel(overrides);
    }

    /**
     * Creates (if needed) and locks the directory, then removes what a killed run left behind.
     * Fails with a {@link RunFailure} that says what to do when the directory cannot be
     * written or another equiflow holds it.
     */
    public static RunDirectory open(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException e) {
            throw new RunFailure("the run directory " + directory + " cannot be created: " + e.getFile()
                    + " is a file, not a directory; pass another --out");
        } catch (IOException e) {
            throw new RunFailure("the run directory " + directory + " cannot be created (" + reason(e)
                    + "); pass a writable --out");
        }
        Path lockFile = directory.resolve(LOCK);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new RunFailure("the run directory " + directory + " is not writable (" + reason(e)
                    + "); nothing was run. Pass a writable --out, or fix the directory's permissions");
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            lock = null;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new RunFailure("cannot lock the run directory " + directory + " (" + reason(e) + ")");
        }
        if (lock == null) {
            String holder = holderOf(lockFile);
            closeQuietly(channel);
            throw new RunFailure("the run directory " + directory + " is in use by another equiflow command"
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")") + "; wait for it to finish, or pass another --out");
        }
        var held = new RunDirectory(directory, channel, lock);
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            held.removeLeftovers();
        } catch (IOException e) {
            held.close();
            throw new RunFailure("the run directory " + directory + " is not writable (" + reason(e)
                    + "); nothing was run. Pass a writable --out, or free disk space");
        }
        return held;
    }

    private static String holderOf(Path lockFile) {
        try {
            return Files.readString(lockFile, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Removes the half-written files of a killed run: AtomicFiles' {@code .*.partial} temporaries,
     * result links that were never renamed into place, and result directories that are not the
     * current one (staged but never committed, or superseded but not yet deleted). Safe because
     * this command holds the lock.
     */
    private void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if ((name.startsWith(".") && name.endsWith(".partial")) || name.startsWith(NEW_LINK_PREFIX)) {
                    Files.deleteIfExists(entry);
                }
            }
        }
        Path results = directory.resolve(RESULTS);
        if (!Files.isDirectory(results, LinkOption.NOFOLLOW_LINKS)) return;
        Path current = currentResult();
        try (DirectoryStream<Path> staged = Files.newDirectoryStream(results)) {
            for (Path entry : staged) {
                if (current == null || !entry.getFileName().equals(current.getFileName())) deleteRecursively(entry);
            }
        }
    }

    /** The directory {@code result} points at, or null when there is no committed result. */
    private Path currentResult() throws IOException {
        Path link = directory.resolve(CURRENT);
        if (!Files.isSymbolicLink(link)) return null;
        return Files.readSymbolicLink(link);
    }

    /** A fresh, empty directory to write a result into before {@link #commit} makes it current. */
    Path stage() throws IOException {
        String id = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + UUID.randomUUID().toString().substring(0, 8);
        return Files.createDirectories(directory.resolve(RESULTS).resolve(id));
    }

    /** Removes a staged result that will not be committed: the run failed after staging it. */
    void discard(Path staged) throws IOException {
        deleteRecursively(staged);
    }

    /**
     * Makes a staged result current in one atomic rename, then points the stable names at it and
     * deletes the result it replaced.
     */
    void commit(Path staged) throws IOException {
        syncTree(staged);
        Path previous = currentResult();
        Path target = Path.of(RESULTS, staged.getFileName().toString());
        Path newLink = directory.resolve(NEW_LINK_PREFIX + staged.getFileName());
        Files.createSymbolicLink(newLink, target);
        Files.move(newLink, directory.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.syncDirectory(directory);
        for (String entry : RESULT_ENTRIES) {
            if (Files.exists(staged.resolve(entry), LinkOption.NOFOLLOW_LINKS)) linkStableName(entry);
            else removeStableName(entry);
        }
        if (previous != null && !previous.getFileName().equals(staged.getFileName())) {
            deleteRecursively(directory.resolve(RESULTS).resolve(previous.getFileName()));
        }
    }

    /**
     * DIR/&lt;name&gt; → result/&lt;name&gt;, made once. A regular file or directory there (the layout before
     * results were committed as a unit) is replaced. A name the new result lacks (log weights after
     * reweighting, then a Metropolis chain) loses its link just after the switch; in between it
     * dangles, which reads as "no such file", as it should.
     */
    private void linkStableName(String name) throws IOException {
        Path stable = directory.resolve(name);
        Path target = Path.of(CURRENT, name);
        if (Files.isSymbolicLink(stable) && Files.readSymbolicLink(stable).equals(target)) return;
        if (Files.isDirectory(stable, LinkOption.NOFOLLOW_LINKS)) deleteRecursively(stable);
        Path newLink = directory.resolve(NEW_LINK_PREFIX + name);
        Files.deleteIfExists(newLink);
        Files.createSymbolicLink(newLink, target);
        Files.move(newLink, stable, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Removes DIR/&lt;name&gt; whatever it is: our link, or a file of the layout before results were committed as a unit. */
    private void removeStableName(String name) throws IOException {
        Path stable = directory.resolve(name);
        if (Files.isDirectory(stable, LinkOption.NOFOLLOW_LINKS)) deleteRecursively(stable);
        else Files.deleteIfExists(stable);
    }

    /**
     * Forgets the run that lived here (for {@code --force}): its checkpoint, metrics and sampling
     * result, which all describe the flow about to be replaced.
     */
    void discardRun() throws IOException {
        Files.deleteIfExists(directory.resolve("checkpoint.eqf"));
        Files.deleteIfExists(directory.resolve("metrics.csv"));
        for (String entry : RESULT_ENTRIES) removeStableName(entry);
        Files.deleteIfExists(directory.resolve(CURRENT));
        deleteRecursively(directory.resolve(RESULTS));
    }

    /** Releases the lock; the directory and what was committed stay. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) lock.release();
        } catch (IOException releasedWithTheChannelAnyway) {
            // Closing the channel below releases the lock too.
        }
        closeQuietly(lockChannel);
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Every file of a staged result reaches the disk before the rename that publishes it. */
    private static void syncTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (FileChannel channel = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        channel.force(true);
                    }
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    AtomicFiles.syncDirectory(p);
                }
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to do with a lock file we are giving up.
        }
    }

    private static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException a -> "permission denied: " + a.getFile();
            case FileSystemException f when f.getReason() != null -> f.getReason() + ": " + f.getFile();
            default -> e.getMessage();
        };
    }
}
