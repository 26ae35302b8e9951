package org.equiflow.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy {@code .npy} files (format versions 1.0 and 2.0): little-endian {@code <f4}, {@code <f8} and {@code <i8}
 * arrays of any rank in C order, so that {@code numpy.load} reads what equiflow writes and the other way round.
 *
 * <p>Writes are atomic: the target is replaced only once the complete file is on disk.
 */
public final class Npy {

    public static final String FLOAT32 = "<f4";
    public static final String FLOAT64 = "<f8";
    public static final String INT64 = "<i8";

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy ≥ 1.x pads so that the data starts on a 64-byte boundary, which lets memory maps use aligned loads. */
    static final int HEADER_ALIGNMENT = 64;
    private static final int VERSION_1_MAX_HEADER = 0xFFFF;

    /** An array as read from a file; {@code data} holds every element converted to double, in C order. */
    public record NpyArray(String dtype, int[] shape, double[] data) {
        public NpyArray {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof NpyArray that && dtype.equals(that.dtype) && Arrays.equals(shape, that.shape)
                    && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "NpyArray[dtype=" + dtype + ", shape=" + Arrays.toString(shape) + ", " + data.length + " elements]";
        }
    }

    /** A {@code <f4} array read without widening, for large ensembles where doubling the memory matters. */
    public record NpyFloats(int[] shape, float[] data) {
        public NpyFloats {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof NpyFloats that && Arrays.equals(shape, that.shape) && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "NpyFloats[shape=" + Arrays.toString(shape) + ", " + data.length + " elements]";
        }
    }

    /** An {@code <i8} array read exactly (a double holds integers exactly only up to 2^53). */
    public record NpyLongs(int[] shape, long[] data) {
        public NpyLongs {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof NpyLongs that && Arrays.equals(shape, that.shape) && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "NpyLongs[shape=" + Arrays.toString(shape) + ", " + data.length + " elements]";
        }
    }

    private Npy() {}

    public static void write(Path file, float[] data, int... shape) throws IOException {
        checkSize(data.length, shape);
        writeFile(file, FLOAT32, shape, data.length, Float.BYTES, (chunk, from, count) -> chunk.asFloatBuffer().put(data, from, count));
    }

    public static void write(Path file, double[] data, int... shape) throws IOException {
        checkSize(data.length, shape);
        writeFile(file, FLOAT64, shape, data.length, Double.BYTES, (chunk, from, count) -> chunk.asDoubleBuffer().put(data, from, count));
    }

    public static void write(Path file, long[] data, int... shape) throws IOException {
        checkSize(data.length, shape);
        writeFile(file, INT64, shape, data.length, Long.BYTES, (chunk, from, count) -> chunk.asLongBuffer().put(data, from, count));
    }

    /** Reads any supported dtype, widening every element to double. */
    public static NpyArray read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, channel);
            ByteBuffer data = mapData(file, channel, header);
            double[] values = new double[header.elementCount()];
            switch (header.dtype()) {
                case FLOAT32 -> {
                    for (int i = 0; i < values.length; i++) values[i] = data.getFloat(4 * i);
                }
                case FLOAT64 -> data.asDoubleBuffer().get(values);
                case INT64 -> {
                    for (int i = 0; i < values.length; i++) values[i] = data.getLong(8 * i);
                }
                default -> throw new IllegalStateException("readHeader admitted dtype " + header.dtype());
            }
            return new NpyArray(header.dtype(), header.shape(), values);
        }
    }

    /** Reads a {@code <f4} array as floats; refuses other dtypes rather than narrow them silently. */
    public static NpyFloats readFloats(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, channel);
            requireDtype(file, header, FLOAT32, "Npy.read");
            float[] values = new float[header.elementCount()];
            mapData(file, channel, header).asFloatBuffer().get(values);
            return new NpyFloats(header.shape(), values);
        }
    }

    /** Reads a {@code <i8} array exactly. */
    public static NpyLongs readLongs(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, channel);
            requireDtype(file, header, INT64, "Npy.read");
            long[] values = new long[header.elementCount()];
            mapData(file, channel, header).asLongBuffer().get(values);
            return new NpyLongs(header.shape(), values);
        }
    }

    // ---------------------------------------------------------------- writing

    private static void checkSize(int length, int[] shape) {
        long expected = 1;
        for (int extent : shape) {
            if (extent < 0) {
                throw new IllegalArgumentException("negative extent in shape " + Arrays.toString(shape));
            }
            expected *= extent;
        }
        if (expected != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + expected
                    + " elements but the data has " + length);
        }
    }

    /** Bytes converted at a time: a large array streams through one small buffer instead of a second copy of it in memory. */
    static final int CHUNK_BYTES = 1 << 22;

    /** Puts elements from … from + count − 1 of the array being written into {@code chunk}, little-endian from its start. */
    @FunctionalInterface
    private interface ChunkFiller {
        void fill(ByteBuffer chunk, int from, int count);
    }

    private static void writeFile(Path file, String dtype, int[] shape, int length, int width, ChunkFiller filler) throws IOException {
        byte[] header = encodeHeader(dtype, shape);
        AtomicFiles.write(file, out -> {
            out.write(header);
            ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(width, (long) length * width))).order(ByteOrder.LITTLE_ENDIAN);
            int perChunk = chunk.capacity() / width;
            for (int from = 0; from < length; from += perChunk) {
                int count = Math.min(perChunk, length - from);
                filler.fill(chunk.clear(), from, count);
                out.write(chunk.array(), 0, count * width);
            }
        });
    }

    /** Magic, version, header length and the padded header dictionary, ready to be followed by the data. */
    static byte[] encodeHeader(String dtype, int[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '").append(dtype).append("', 'fortran_order': False, 'shape': (");
        for (int extent : shape) {
            dict.append(extent).append(", ");
        }
        if (shape.length > 0) {
            dict.setLength(dict.length() - 2);
        }
        // A one-element tuple needs its trailing comma in Python syntax.
        dict.append(shape.length == 1 ? ",), }" : "), }");
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        int major = 1;
        int prefix = MAGIC.length + 2 + 2;
        int padded = padTo(prefix + text.length + 1) - prefix;
        if (padded > VERSION_1_MAX_HEADER) {
            major = 2;
            prefix = MAGIC.length + 2 + 4;
            padded = padTo(prefix + text.length + 1) - prefix;
        }
        ByteBuffer buffer = ByteBuffer.allocate(prefix + padded).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            buffer.putShort((short) padded);
        } else {
            buffer.putInt(padded);
        }
        buffer.put(text);
        while (buffer.position() < buffer.capacity() - 1) {
            buffer.put((byte) ' ');
        }
        buffer.put((byte) '\n');
        return buffer.array();
    }

    private static int padTo(int length) {
        return (length + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
    }

    // ---------------------------------------------------------------- reading

    private record Header(String dtype, int[] shape, long dataOffset, int elementCount, int itemSize) {
        long dataBytes() {
            return (long) elementCount * itemSize;
        }
    }

    private static Header readHeader(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        ByteBuffer start = readFully(channel, 0, (int) Math.min(fileSize, MAGIC.length + 2 + 4));
        for (int i = 0; i < MAGIC.length; i++) {
            if (start.limit() <= i || start.get(i) != MAGIC[i]) {
                throw new IOException(file + " is not a NumPy .npy file: it does not start with \\x93NUMPY"
                        + (fileSize < MAGIC.length ? " (it has only " + fileSize + " bytes)" : ""));
            }
        }
        if (start.limit() < MAGIC.length + 2 + 2) {
            throw new IOException(file + " is truncated: it ends inside the .npy preamble (" + fileSize + " bytes)");
        }
        int major = start.get(6) & 0xFF;
        int minor = start.get(7) & 0xFF;
        long headerLength;
        int prefix;
        if (major == 1) {
            headerLength = start.getShort(8) & 0xFFFF;
            prefix = 10;
        } else if (major == 2 || major == 3) {
            if (start.limit() < 12) {
                throw new IOException(file + " is truncated: it ends inside the .npy preamble (" + fileSize + " bytes)");
            }
            headerLength = start.getInt(8) & 0xFFFFFFFFL;
            prefix = 12;
        } else {
            throw new IOException(file + " has .npy format version " + major + "." + minor
                    + "; this reader understands versions 1.0, 2.0 and 3.0");
        }
        if (prefix + headerLength > fileSize) {
            throw new IOException(file + " is truncated: its header says " + headerLength
                    + " header bytes follow, but only " + (fileSize - prefix) + " bytes remain");
        }
        if (headerLength > 1 << 24) {
            throw new IOException(file + " declares an implausible .npy header of " + headerLength + " bytes");
        }
        ByteBuffer headerBytes = readFully(channel, prefix, (int) headerLength);
        // Version 3.0 differs from 2.0 only in allowing UTF-8 in the header (for structured dtype field names).
        String text = (major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)
                .decode(headerBytes).toString();
        Map<String, Object> dict;
        try {
            dict = new HeaderParser(text).parseDict();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " has a malformed .npy header (" + e.getMessage() + "): " + text.strip(), e);
        }
        if (!(dict.get("descr") instanceof String dtype)) {
            throw new IOException(file + " has no 'descr' string in its .npy header: " + text.strip());
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortranOrder)) {
            throw new IOException(file + " has no 'fortran_order' flag in its .npy header: " + text.strip());
        }
        if (!(dict.get("shape") instanceof long[] rawShape)) {
            throw new IOException(file + " has no 'shape' tuple in its .npy header: " + text.strip());
        }
        if (fortranOrder) {
            throw new IOException(file + " stores its array in Fortran order; save it in C order "
                    + "(numpy.save(path, numpy.ascontiguousarray(a)))");
        }
        int itemSize = switch (dtype) {
            case FLOAT32 -> 4;
            case FLOAT64, INT64 -> 8;
            default -> throw new IOException(file + " has dtype '" + dtype + "'; equiflow reads little-endian "
                    + FLOAT32 + ", " + FLOAT64 + " and " + INT64 + " (convert with a.astype('<f8'))");
        };
        int[] shape = new int[rawShape.length];
        long count = 1;
        for (int i = 0; i < rawShape.length; i++) {
            if (rawShape[i] < 0 || rawShape[i] > Integer.MAX_VALUE) {
                throw new IOException(file + " has an invalid extent " + rawShape[i] + " in its shape");
            }
            shape[i] = (int) rawShape[i];
            count *= rawShape[i];
            if (count > Integer.MAX_VALUE - 8) {
                throw new IOException(file + " holds more elements than one Java array can (shape "
                        + Arrays.toString(rawShape) + ")");
            }
        }
        Header header = new Header(dtype, shape, prefix + headerLength, (int) count, itemSize);
        long found = fileSize - header.dataOffset();
        if (found < header.dataBytes()) {
            throw new IOException(file + " is truncated: expected " + header.dataBytes() + " bytes of data, found "
                    + found);
        }
        if (found > header.dataBytes()) {
            throw new IOException(file + " has " + found + " bytes of data but its header (dtype " + dtype + ", shape "
                    + Arrays.toString(shape) + ") describes " + header.dataBytes()
                    + "; the header and the data do not belong together");
        }
        return header;
    }

    private static void requireDtype(Path file, Header header, String wanted, String alternative) throws IOException {
        if (!header.dtype().equals(wanted)) {
            throw new IOException(file + " has dtype " + header.dtype() + ", not " + wanted + "; use " + alternative
                    + " to read it as doubles");
        }
    }

    private static ByteBuffer mapData(Path file, FileChannel channel, Header header) throws IOException {
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, header.dataOffset(), header.dataBytes());
        return mapped.order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                break;
            }
        }
        return buffer.flip();
    }

    /** The Python literal subset numpy writes into headers: a dict of strings, booleans and int tuples. */
    private static final class HeaderParser {
        private final String text;
        private int position;

        HeaderParser(String text) {
            this.text = text;
        }

        Map<String, Object> parseDict() {
            Map<String, Object> dict = new LinkedHashMap<>();
            expect('{');
            while (!peekIs('}')) {
                String key = parseString();
                expect(':');
                dict.put(key, parseValue());
                if (!peekIs('}')) {
                    expect(',');
                }
            }
            expect('}');
            skipSpace();
            if (position != text.length()) {
                throw new IllegalArgumentException("unexpected text after the dictionary at offset " + position);
            }
            return dict;
        }

        private Object parseValue() {
            skipSpace();
            if (position >= text.length()) {
                throw new IllegalArgumentException("header ends where a value was expected");
            }
            char c = text.charAt(position);
            if (c == '\'' || c == '"') {
                return parseString();
            }
            if (c == '(') {
                return parseTuple();
            }
            if (text.startsWith("True", position)) {
                position += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("False", position)) {
                position += 5;
                return Boolean.FALSE;
            }
            throw new IllegalArgumentException("unsupported value at offset " + position);
        }

        private long[] parseTuple() {
            expect('(');
            List<Long> values = new ArrayList<>();
            while (!peekIs(')')) {
                values.add(parseInteger());
                if (!peekIs(')')) {
                    expect(',');
                }
            }
            expect(')');
            return values.stream().mapToLong(Long::longValue).toArray();
        }

        private long parseInteger() {
            skipSpace();
            int begin = position;
            while (position < text.length() && Character.isDigit(text.charAt(position))) {
                position++;
            }
            if (begin == position) {
                throw new IllegalArgumentException("expected an integer at offset " + begin);
            }
            long value;
            try {
                value = Long.parseLong(text.substring(begin, position));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("integer out of range at offset " + begin);
            }
            // Files written by Python 2 spell long integers with an L suffix.
            if (position < text.length() && text.charAt(position) == 'L') {
                position++;
            }
            return value;
        }

        private String parseString() {
            skipSpace();
            if (position >= text.length()) {
                throw new IllegalArgumentException("header ends where a string was expected");
            }
            char quote = text.charAt(position);
            if (quote != '\'' && quote != '"') {
                throw new IllegalArgumentException("expected a quoted string at offset " + position);
            }
            int end = text.indexOf(quote, position + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated string at offset " + position);
            }
            String value = text.substring(position + 1, end);
            position = end + 1;
            return value;
        }

        private boolean peekIs(char c) {
            skipSpace();
            return position < text.length() && text.charAt(position) == c;
        }

        private void expect(char c) {
            if (!peekIs(c)) {
                throw new IllegalArgumentException("expected '" + c + "' at offset " + position);
            }
            position++;
        }

        private void skipSpace() {
            while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
                position++;
            }
        }
    }
}
