package org.equiflow.tensor.opencl;

import static org.equiflow.tensor.opencl.OperationCodes.*;

import java.util.Arrays;

import com.aparapi.Kernel;

/**
 * Every float32 primitive family in one kernel over one device-resident {@link #heap}: a
 * tensor is a range of the heap ({@link DeviceHeap}), and a launch names its family, its
 * operands' heap offsets and its integer parameters. One kernel, because Aparapi keeps a device
 * buffer per kernel object and field: arrays bound to different kernels (or rebound between
 * launches) travel on every launch, while a heap that never changes stays on the device in
 * explicit mode ({@code setExplicit(true)}), and values cross only through the staging arrays.
 *
 * <p>The parameter registers {@code p0..p7} and operand offsets {@code at0..at2} mean what
 * each family's method names them at its top. The family bodies are the former per-family
 * kernels with {@code array[i]} read as {@code heap[offset + i]}. Both precisions share this
 * source: the build generates the F64 kernel from this file (runtime/opencl/pom.xml).
 */
final class ResidentKernelF32 extends Kernel implements ResidentKernel {

    static final int STAGE_IN = 0;
    static final int STAGE_OUT = 1;
    static final int UNARY = 2;
    static final int BINARY = 3;
    static final int SUM_TO = 4;
    static final int BROADCAST_TO = 5;
    static final int ROLL = 6;
    static final int CHANNEL_COPY = 7;
    static final int WHERE = 8;
    static final int CONV = 9;
    static final int CONV_WEIGHT_GRADIENT = 10;
    static final int FLIP_WEIGHTS = 11;
    static final int COMPLEX_PRODUCT = 12;
    static final int COMPLEX_TRACE = 13;
    static final int SPLINE = 14;
    static final int FILL = 15;
    /** The spline family's mode for the inverse ({@link #splineInverse}); modes below it are {@link #spline}'s. */
    static final int SPLINE_INVERSE = 6;
    /** Staging with a gather: the staging array packs several tensors, {@link #segments} says where each goes. */
    static final int STAGE_IN_SEGMENTS = 16;
    static final int STAGE_OUT_SEGMENTS = 17;

    /**
     * Staging tiers, 4^3 to 4^10 elements: a copy moves a whole staging array, so it uses the
     * smallest that holds its values (at most four times their size) and larger values go in
     * chunks of the largest.
     */
    static final int TIERS = 8;
    static final int SMALLEST_STAGE = 1 << 6;
    static final int LARGEST_STAGE = SMALLEST_STAGE << (2 * (TIERS - 1));
    /** Tensors one gathered copy moves at most: {@link #segments} holds a pair per tensor. */
    static final int MAX_SEGMENTS = 512;

    static final float MIN_BIN = 1e-3f;
    static final float MIN_DERIVATIVE = 1e-3f;
    static final float DERIVATIVE_SHIFT = 0.539742417236952f;

    float[] heap = new float[1];
    float[] stage0 = new float[SMALLEST_STAGE];
    float[] stage1 = new float[SMALLEST_STAGE << 2];
    float[] stage2 = new float[SMALLEST_STAGE << 4];
    float[] stage3 = new float[SMALLEST_STAGE << 6];
    float[] stage4 = new float[SMALLEST_STAGE << 8];
    float[] stage5 = new float[SMALLEST_STAGE << 10];
    float[] stage6 = new float[SMALLEST_STAGE << 12];
    float[] stage7 = new float[LARGEST_STAGE];
    /** Neighbour tables of the convolutions, one after another ({@link #p4}/{@link #p5} give where). */
    int[] tables = new int[1];
    /**
     * A gathered copy's pieces, {@link #p0} of them by staging position: piece k starts at
     * staging element {@code segments[2k]} and at heap element {@code segments[2k + 1]}.
     */
    int[] segments = new int[2 * MAX_SEGMENTS];

    int family;
    /** The unary or binary operation code, the spline mode, or the staging tier. */
    int operation;
    int at0;
    int at1;
    int at2;
    int atOut;
    int p0;
    int p1;
    int p2;
    int p3;
    int p4;
    int p5;
    int p6;
    int p7;
    /** The unary operations' slope, factor or term; the spline's bound. */
    float real;

    // Aparapi's decompiler rejects long else-if chains around nested branches, so each family
    // is one flat if around a call.
    @Override
    public void run() {
        int i = getGlobalId();
        if (family == STAGE_IN) stageIn(i, atOut + i);
        if (family == STAGE_OUT) stageOut(i, at0 + i);
        if (family == STAGE_IN_SEGMENTS) stageIn(i, segmentHeapIndex(i));
        if (family == STAGE_OUT_SEGMENTS) stageOut(i, segmentHeapIndex(i));
        if (family == UNARY) unary(i);
        if (family == BINARY) binary(i);
        if (family == SUM_TO) sumTo(i);
        if (family == BROADCAST_TO) broadcastTo(i);
        if (family == ROLL) roll(i);
        if (family == CHANNEL_COPY) channelCopy(i);
        if (family == WHERE) where(i);
        if (family == CONV) conv(i);
        if (family == CONV_WEIGHT_GRADIENT) convWeightGradient(i);
        if (family == FLIP_WEIGHTS) flipWeights(i);
        if (family == COMPLEX_PRODUCT) complexProduct(i);
        if (family == COMPLEX_TRACE) complexTrace(i);
        if (family == SPLINE && operation != SPLINE_INVERSE) spline(i);
        if (family == SPLINE && operation == SPLINE_INVERSE) splineInverse(i);
        if (family == FILL) heap[atOut + i] = real;
    }

    // ---------------------------------------------------------------- staging

    /** {@code heap[at] = stage[i]}, from the tier {@link #operation} names. */
    void stageIn(int i, int at) {
        float value = 0f;
        if (operation == 0) value = stage0[i];
        if (operation == 1) value = stage1[i];
        if (operation == 2) value = stage2[i];
        if (operation == 3) value = stage3[i];
        if (operation == 4) value = stage4[i];
        if (operation == 5) value = stage5[i];
        if (operation == 6) value = stage6[i];
        if (operation == 7) value = stage7[i];
        heap[at] = value;
    }

    /** {@code stage[i] = heap[at]}, into the tier {@link #operation} names. */
    void stageOut(int i, int at) {
        float value = heap[at];
        if (operation == 0) stage0[i] = value;
        if (operation == 1) stage1[i] = value;
        if (operation == 2) stage2[i] = value;
        if (operation == 3) stage3[i] = value;
        if (operation == 4) stage4[i] = value;
        if (operation == 5) stage5[i] = value;
        if (operation == 6) stage6[i] = value;
        if (operation == 7) stage7[i] = value;
    }

    /** Where staging element {@code i} of a gathered copy lives in the heap: a binary search of {@link #segments}. */
    int segmentHeapIndex(int i) {
        int lo = 0;
        int hi = p0 - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            int before = segments[2 * mid] <= i ? 1 : 0;
            lo = before == 1 ? mid : lo;
            hi = before == 1 ? hi : mid - 1;
        }
        return segments[2 * lo + 1] + i - segments[2 * lo];
    }

    // ---------------------------------------------------------------- host side (never translated)

    @Override
    public Kernel kernel() {
        return this;
    }

    @Override
    public int elementBytes() {
        return Float.BYTES;
    }

    @Override
    public void load(LaunchRegisters r) {
        family = r.family;
        operation = r.operation;
        at0 = r.at0;
        at1 = r.at1;
        at2 = r.at2;
        atOut = r.atOut;
        p0 = r.p0;
        p1 = r.p1;
        p2 = r.p2;
        p3 = r.p3;
        p4 = r.p4;
        p5 = r.p5;
        p6 = r.p6;
        p7 = r.p7;
        real = (float) r.real;
    }

    @Override
    public int heapLength() {
        return heap.length;
    }

    @Override
    public void resizeHeap(int capacity, boolean readBack) {
        if (readBack) get(heap);
        heap = Arrays.copyOf(heap, capacity);
    }

    @Override
    public int stageLength(int tier) {
        return stage(tier).length;
    }

    @Override
    public void fillStage(int tier, Object values, int from, int count) {
        float[] stage = stage(tier);
        System.arraycopy((float[]) values, from, stage, 0, count);
        put(stage);
    }

    @Override
    public void drainStage(int tier, Object values, int from, int count) {
        float[] stage = stage(tier);
        get(stage);
        System.arraycopy(stage, 0, (float[]) values, from, count);
    }

    @Override
    public void packStage(int tier, Object values, int stageAt, int count) {
        System.arraycopy((float[]) values, 0, stage(tier), stageAt, count);
    }

    @Override
    public void putStage(int tier) {
        put(stage(tier));
    }

    @Override
    public void getStage(int tier) {
        get(stage(tier));
    }

    @Override
    public void unpackStage(int tier, int stageAt, Object values, int count) {
        System.arraycopy(stage(tier), stageAt, (float[]) values, 0, count);
    }

    @Override
    public void putSegments(int[] pieces, int count) {
        System.arraycopy(pieces, 0, segments, 0, 2 * count);
        put(segments);
    }

    @Override
    public int[] tables() {
        return tables;
    }

    @Override
    public void putTables(int[] tables) {
        this.tables = tables;
        put(tables);
    }

    /** The staging array of a tier. */
    float[] stage(int tier) {
        return switch (tier) {
            case 0 -> stage0;
            case 1 -> stage1;
            case 2 -> stage2;
            case 3 -> stage3;
            case 4 -> stage4;
            case 5 -> stage5;
            case 6 -> stage6;
            default -> stage7;
        };
    }

    /** The smallest tier whose staging array holds {@code count} values (at most {@link #LARGEST_STAGE}). */
    static int tierFor(int count) {
        int tier = 0;
        while (tier < TIERS - 1 && (SMALLEST_STAGE << (2 * tier)) < count) tier++;
        return tier;
    }

    // ---------------------------------------------------------------- elementwise

    void unary(int i) {
        float x = heap[at0 + i];
        float y = x;
        if (operation == NEG) y = -x;
        if (operation == EXP) y = exp(x);
        if (operation == LOG) y = log(x);
        if (operation == TANH) y = tanh(x);
        if (operation == SIGMOID) y = sigmoid(x);
        if (operation == ABS) y = abs(x);
        if (operation == SIGN) y = sign(x);
        if (operation == SIN) y = sin(x);
        if (operation == COS) y = cos(x);
        if (operation == SQUARE) y = x * x;
        if (operation == POW_INT) y = powInt(x, p0);
        if (operation == LEAKY_RELU) y = leakyRelu(x);
        if (operation == MUL_SCALAR) y = real * x;
        if (operation == ADD_SCALAR) y = x + real;
        if (operation == TAN) y = tan(x);
        if (operation == ATAN) y = atan(x);
        if (operation == WRAP_ANGLE) y = wrapAngle(x);
        heap[atOut + i] = y;
    }

    /** Two forms so that exp never overflows. */
    float sigmoid(float x) {
        float e = exp(-abs(x));
        float positive = 1f / (1f + e);
        return x >= 0f ? positive : e * positive;
    }

    /** Zero and NaN map to themselves, as Math.signum. */
    float sign(float x) {
        float y = x;
        if (x > 0f) y = 1f;
        if (x < 0f) y = -1f;
        return y;
    }

    float powInt(float x, int exponent) {
        float power = 1f;
        int count = abs(exponent);
        for (int k = 0; k < count; k++) {
            power = power * x;
        }
        float inverse = 1f / power;
        return exponent < 0 ? inverse : power;
    }

    float leakyRelu(float x) {
        return x > 0f ? x : real * x;
    }

    /** The principal value in [−π, π), as {@link org.equiflow.tensor.UnaryOp.WrapAngle}. */
    float wrapAngle(float x) {
        float twoPi = 6.283185307179586f;
        return x - twoPi * floor((x + 3.141592653589793f) / twoPi);
    }

    /** {@code out = a op b}, each operand read through its {@link BroadcastStrides}. */
    void binary(int i) {
        int aBatchStride = p0;
        int aChannelStride = p1;
        int aSiteStride = p2;
        int bBatchStride = p3;
        int bChannelStride = p4;
        int bSiteStride = p5;
        int channels = p6;
        int sites = p7;
        int site = i % sites;
        int configurationChannel = i / sites;
        int channel = configurationChannel % channels;
        int configuration = configurationChannel / channels;
        float x = heap[at0 + configuration * aBatchStride + channel * aChannelStride + site * aSiteStride];
        float y = heap[at1 + configuration * bBatchStride + channel * bChannelStride + site * bSiteStride];
        float result = x + y;
        if (operation == SUB) {
            result = x - y;
        } else if (operation == MUL) {
            result = x * y;
        } else if (operation == DIV) {
            result = x / y;
        }
        heap[atOut + i] = result;
    }

    /** {@code mask != 0 ? whenSet : whenClear}, the mask broadcasting. */
    void where(int i) {
        int maskBatchStride = p0;
        int maskChannelStride = p1;
        int maskSiteStride = p2;
        int channels = p3;
        int sites = p4;
        int site = i % sites;
        int channel = (i / sites) % channels;
        int configuration = i / (sites * channels);
        float selector = heap[at0 + configuration * maskBatchStride + channel * maskChannelStride + site * maskSiteStride];
        float value = heap[at2 + i];
        if (selector != 0f) {
            value = heap[at1 + i];
        }
        heap[atOut + i] = value;
    }

    // ---------------------------------------------------------------- reductions and layout

    /**
     * One work item per output element sums the input elements that collapse onto it,
     * compensated (Kahan): the sums run over whole lattices and batches.
     */
    void sumTo(int i) {
        int inBatch = p0;
        int inChannels = p1;
        int inSites = p2;
        int outChannels = p3;
        int outSites = p4;
        int site = i % outSites;
        int channel = (i / outSites) % outChannels;
        int configuration = i / (outSites * outChannels);
        int batchFrom = configuration;
        int batchCount = 1;
        if (p5 == 1) {
            batchFrom = 0;
            batchCount = inBatch;
        }
        int channelFrom = channel;
        int channelCount = 1;
        if (p6 == 1) {
            channelFrom = 0;
            channelCount = inChannels;
        }
        int siteFrom = site;
        int siteCount = 1;
        if (p7 == 1) {
            siteFrom = 0;
            siteCount = inSites;
        }
        float sum = 0f;
        float compensation = 0f;
        for (int n = batchFrom; n < batchFrom + batchCount; n++) {
            for (int c = channelFrom; c < channelFrom + channelCount; c++) {
                int base = at0 + (n * inChannels + c) * inSites;
                for (int s = siteFrom; s < siteFrom + siteCount; s++) {
                    float term = heap[base + s] - compensation;
                    float next = sum + term;
                    compensation = (next - sum) - term;
                    sum = next;
                }
            }
        }
        heap[atOut + i] = sum;
    }

    void broadcastTo(int i) {
        int batchStride = p0;
        int channelStride = p1;
        int siteStride = p2;
        int channels = p3;
        int sites = p4;
        int site = i % sites;
        int channel = (i / sites) % channels;
        int configuration = i / (sites * channels);
        heap[atOut + i] = heap[at0 + configuration * batchStride + channel * channelStride + site * siteStride];
    }

    /** {@code out[.., x, ..] = in[.., (x - shift) mod L, ..]} along an axis whose sites are {@code inner} apart. */
    void roll(int i) {
        int extent = p0;
        int inner = p1;
        int shift = p2;
        int withinRow = i % inner;
        int x = (i / inner) % extent;
        int block = i / (inner * extent);
        int from = (x - shift + extent) % extent;
        heap[atOut + i] = heap[at0 + (block * extent + from) * inner + withinRow];
    }

    /** A run of channels between tensors of equal batch and lattice (slices and concatenations). */
    void channelCopy(int i) {
        int sourceChannels = p0;
        int sourceFirstChannel = p1;
        int targetChannels = p2;
        int targetFirstChannel = p3;
        int sites = p4;
        int run = p5;
        int configuration = i / run;
        int offset = i % run;
        heap[atOut + (configuration * targetChannels + targetFirstChannel) * sites + offset]
                = heap[at0 + (configuration * sourceChannels + sourceFirstChannel) * sites + offset];
    }

    // ---------------------------------------------------------------- convolutions

    /** Periodic convolution: one work item per output element, neighbours from the table at {@code p4}. */
    void conv(int i) {
        int inChannels = p0;
        int outChannels = p1;
        int sites = p2;
        int offsets = p3;
        int table = p4;
        int hasBias = p5;
        int site = i % sites;
        int outChannel = (i / sites) % outChannels;
        int configuration = i / (sites * outChannels);
        int neighbourBase = table + site * offsets;
        float sum = 0f;
        if (hasBias == 1) {
            sum = heap[at2 + outChannel];
        }
        for (int inChannel = 0; inChannel < inChannels; inChannel++) {
            int inBase = at0 + (configuration * inChannels + inChannel) * sites;
            int weightBase = at1 + (outChannel * inChannels + inChannel) * offsets;
            for (int offset = 0; offset < offsets; offset++) {
                sum += heap[weightBase + offset] * heap[inBase + tables[neighbourBase + offset]];
            }
        }
        heap[atOut + i] = sum;
    }

    /** One work item per weight, summed over every site of every configuration, compensated. */
    void convWeightGradient(int i) {
        int batch = p0;
        int inChannels = p1;
        int outChannels = p2;
        int sites = p3;
        int offsets = p4;
        int table = p5;
        int offset = i % offsets;
        int inChannel = (i / offsets) % inChannels;
        int outChannel = i / (offsets * inChannels);
        float sum = 0f;
        float compensation = 0f;
        for (int configuration = 0; configuration < batch; configuration++) {
            int gradBase = at1 + (configuration * outChannels + outChannel) * sites;
            int inBase = at0 + (configuration * inChannels + inChannel) * sites;
            for (int site = 0; site < sites; site++) {
                float term = heap[gradBase + site] * heap[inBase + tables[table + site * offsets + offset]] - compensation;
                float next = sum + term;
                compensation = (next - sum) - term;
                sum = next;
            }
        }
        heap[atOut + i] = sum;
    }

    /** {@code out[ci][co][K-1-o] = w[co][ci][o]}, one work item per output element. */
    void flipWeights(int i) {
        int outChannels = p0;
        int inChannels = p1;
        int offsets = p2;
        int flippedOffset = i % offsets;
        int outChannel = (i / offsets) % outChannels;
        int inChannel = i / (offsets * outChannels);
        heap[atOut + i] = heap[at0 + (outChannel * inChannels + inChannel) * offsets + (offsets - 1 - flippedOffset)];
    }

    // ---------------------------------------------------------------- complex matrices

    /** One work item per output entry (matrix, row, column, site); adjoint flags are 0/1. */
    void complexProduct(int id) {
        int n = p0;
        int sites = p1;
        int adjointLeft = p2;
        int adjointRight = p3;
        int block = 2 * n * n;
        int x = id % sites;
        int entry = (id / sites) % (n * n);
        int m = id / (sites * n * n);
        int i = entry / n;
        int j = entry % n;
        float re = 0;
        float im = 0;
        for (int k = 0; k < n; k++) {
            int ai = 2 * (i * n + k) * (1 - adjointLeft) + 2 * (k * n + i) * adjointLeft;
            int bi = 2 * (k * n + j) * (1 - adjointRight) + 2 * (j * n + k) * adjointRight;
            float ar = heap[at0 + (m * block + ai) * sites + x];
            float aim = heap[at0 + (m * block + ai + 1) * sites + x] * (1 - 2 * adjointLeft);
            float br = heap[at1 + (m * block + bi) * sites + x];
            float bim = heap[at1 + (m * block + bi + 1) * sites + x] * (1 - 2 * adjointRight);
            re += ar * br - aim * bim;
            im += ar * bim + aim * br;
        }
        heap[atOut + (m * block + 2 * entry) * sites + x] = re;
        heap[atOut + (m * block + 2 * entry + 1) * sites + x] = im;
    }

    /** One work item per (matrix, site). */
    void complexTrace(int id) {
        int n = p0;
        int sites = p1;
        int block = 2 * n * n;
        int x = id % sites;
        int m = id / sites;
        float re = 0;
        float im = 0;
        for (int i = 0; i < n; i++) {
            re += heap[at0 + (m * block + 2 * (i * n + i)) * sites + x];
            im += heap[at0 + (m * block + 2 * (i * n + i) + 1) * sites + x];
        }
        heap[atOut + (2 * m) * sites + x] = re;
        heap[atOut + (2 * m + 1) * sites + x] = im;
    }

    // ---------------------------------------------------------------- rational-quadratic spline

    /**
     * {@link org.equiflow.tensor.RationalQuadraticSpline} in every mode (the transform, its log
     * derivative, their cotangents for x and for the parameters): x at {@code at0}, the spline parameters at
     * {@code at1}, the cotangent at {@code at2}; {@link #operation} is the mode, {@code p0} the
     * bins, {@code p1} the sites, {@code p3} the mask's position (−1: none), {@link #real} the bound.
     */
    void spline(int i) {
        int mode = operation;
        int bins = p0;
        int sites = p1;
        // 1: channel 3·bins − 1 is the slope shared by both end knots (the circular spline's learned end derivative).
        int learnedEnds = p2;
        float bound = real;
        int site = i % sites;
        int configuration = i / sites;
        int channels = 3 * bins - 1 + learnedEnds;
        int pBase = at1 + configuration * channels * sites + site;
        int outBase = atOut + configuration * channels * sites + site;
        float xv = heap[at0 + i];
        float cotangent = heap[at2 + i];
        // Outside [−B, B] the spline is the identity: evaluate at the safe point 0 and select
        // the tail's values at the end, since Aparapi cannot translate early exits here.
        float inside = 1;
        if (xv < -bound) {
            inside = 0;
        }
        // −B is the first bin's when the end slope is learned (not the tail's 1).
        if (xv == -bound) {
            if (learnedEnds == 0) {
                inside = 0;
            }
        }
        if (xv >= bound) {
            inside = 0;
        }
        // Off a masked spline's mask (its position in p3; −1: no mask) the site is the tails' too.
        int maskAt = p3;
        if (maskAt >= 0) {
            if (heap[maskAt + site] == 0) {
                inside = 0;
            }
        }
        float xs = xv * inside;
        float widthMax = heap[pBase];
        float heightMax = heap[pBase + bins * sites];
        for (int k = 1; k < bins; k++) {
            widthMax = max(widthMax, heap[pBase + k * sites]);
            heightMax = max(heightMax, heap[pBase + (bins + k) * sites]);
        }
        float widthSum = 0;
        float heightSum = 0;
        for (int k = 0; k < bins; k++) {
            widthSum += exp(heap[pBase + k * sites] - widthMax);
            heightSum += exp(heap[pBase + (bins + k) * sites] - heightMax);
        }
        float scale = 1 - bins * MIN_BIN;
        int bin = -1;
        float left = -bound;
        float bottom = -bound;
        float width = 0;
        float height = 0;
        float widthShare = 0;
        float heightShare = 0;
        float widthSharesBefore = 0;
        float heightSharesBefore = 0;
        for (int k = 0; k < bins; k++) {
            if (bin < 0) {
                widthShare = exp(heap[pBase + k * sites] - widthMax) / widthSum;
                heightShare = exp(heap[pBase + (bins + k) * sites] - heightMax) / heightSum;
                width = 2 * bound * (MIN_BIN + scale * widthShare);
                height = 2 * bound * (MIN_BIN + scale * heightShare);
                int found = 0;
                if (xs < left + width) {
                    found = 1;
                }
                if (k == bins - 1) {
                    found = 1;
                }
                if (found == 1) {
                    bin = k;
                }
                if (found == 0) {
                    left += width;
                    bottom += height;
                    widthSharesBefore += widthShare;
                    heightSharesBefore += heightShare;
                }
            }
        }
        float leftDerivative = 1;
        float rightDerivative = 1;
        float leftSoftplusSlope = 0;
        float rightSoftplusSlope = 0;
        float endSoftplusSlope = 0;
        if (learnedEnds == 1) {
            float z = heap[pBase + (3 * bins - 1) * sites] + DERIVATIVE_SHIFT;
            leftDerivative = MIN_DERIVATIVE + max(z, 0) + log(1 + exp(-abs(z)));
            rightDerivative = leftDerivative;
            endSoftplusSlope = 1 / (1 + exp(-z));
        }
        if (bin > 0) {
            float z = heap[pBase + (2 * bins + bin - 1) * sites] + DERIVATIVE_SHIFT;
            leftDerivative = MIN_DERIVATIVE + max(z, 0) + log(1 + exp(-abs(z)));
            leftSoftplusSlope = 1 / (1 + exp(-z));
        }
        if (bin < bins - 1) {
            float z = heap[pBase + (2 * bins + bin) * sites] + DERIVATIVE_SHIFT;
            rightDerivative = MIN_DERIVATIVE + max(z, 0) + log(1 + exp(-abs(z)));
            rightSoftplusSlope = 1 / (1 + exp(-z));
        }
        float xi = (xs - left) / width;
        float slope = height / width;
        float u = xi * (1 - xi);
        float curvature = leftDerivative + rightDerivative - 2 * slope;
        float numerator = slope * xi * xi + leftDerivative * u;
        float denominator = slope + curvature * u;
        float derivativeNumerator = rightDerivative * xi * xi + 2 * slope * u + leftDerivative * (1 - xi) * (1 - xi);
        float numeratorXi = 2 * slope * xi + leftDerivative * (1 - 2 * xi);
        float denominatorXi = curvature * (1 - 2 * xi);
        float derivativeNumeratorXi = 2 * rightDerivative * xi + 2 * slope * (1 - 2 * xi) - 2 * leftDerivative * (1 - xi);
        // Partial derivatives with respect to ξ, s, δₖ, δₖ₊₁, hₖ (direct) and yₖ of y (ofTransform = 1), of
        // log dy/dx (ofLogDerivative = 1), or, for the pair (modes 8, 9), of both weighted by their two
        // cotangents, which then stand in for the cotangent, 1.
        int pairAt = configuration * 2 * sites + site;
        float ofTransform = 0;
        if (mode == 2) {
            ofTransform = 1;
        }
        if (mode == 4) {
            ofTransform = 1;
        }
        float ofLogDerivative = 1 - ofTransform;
        if (mode == 8 || mode == 9) {
            ofTransform = heap[at2 + pairAt];
            ofLogDerivative = heap[at2 + pairAt + sites];
            cotangent = 1;
        }
        float q = height / (denominator * denominator);
        float dXi = ofTransform * q * (numeratorXi * denominator - numerator * denominatorXi)
                + ofLogDerivative * (derivativeNumeratorXi / derivativeNumerator - 2 * denominatorXi / denominator);
        float dSlope = ofTransform * q * (xi * xi * denominator - numerator * (1 - 2 * u))
                + ofLogDerivative * (2 / slope + 2 * u / derivativeNumerator - 2 * (1 - 2 * u) / denominator);
        float dLeftDerivative = ofTransform * q * (u * denominator - numerator * u)
                + ofLogDerivative * ((1 - xi) * (1 - xi) / derivativeNumerator - 2 * u / denominator);
        float dRightDerivative = ofTransform * (-q * numerator * u)
                + ofLogDerivative * (xi * xi / derivativeNumerator - 2 * u / denominator);
        float dHeight = ofTransform * numerator / denominator;
        float dBottom = ofTransform;
        float transformed = inside * (bottom + height * numerator / denominator) + (1 - inside) * xv;
        float logDerivative = inside * (2 * log(slope) + log(derivativeNumerator) - 2 * log(denominator));
        float result = transformed;
        if (mode == 1) {
            result = logDerivative;
        }
        if (mode == 2) {
            result = cotangent * (inside * dXi / width + (1 - inside));
        }
        if (mode == 3) {
            result = cotangent * inside * dXi / width;
        }
        if (mode == 8) {
            // The tails pass the transform's cotangent through (dy/dx = 1, log dy/dx = 0).
            result = inside * dXi / width + (1 - inside) * ofTransform;
        }
        if (mode < 4 || mode == 8) {
            heap[atOut + i] = result;
        }
        if (mode == 7) {
            heap[atOut + pairAt] = transformed;
            heap[atOut + pairAt + sites] = logDerivative;
        }
        if (mode == 4 || mode == 5 || mode == 9) {
            // Through ξ = (x − xₖ)/wₖ and s = hₖ/wₖ to the bin, then through the softmaxes to the logits.
            float dLeft = -dXi / width;
            float dWidth = -(xi * dXi + slope * dSlope) / width;
            float dBinHeight = dHeight + dSlope / width;
            float chain = inside * cotangent * 2 * bound * scale;
            for (int j = 0; j < bins; j++) {
                float widthShareJ = exp(heap[pBase + j * sites] - widthMax) / widthSum;
                float heightShareJ = exp(heap[pBase + (bins + j) * sites] - heightMax) / heightSum;
                float before = 0;
                if (j < bin) {
                    before = 1;
                }
                float same = 0;
                if (j == bin) {
                    same = 1;
                }
                heap[outBase + j * sites] = chain * (dLeft * widthShareJ * (before - widthSharesBefore)
                        + dWidth * widthShare * (same - widthShareJ));
                heap[outBase + (bins + j) * sites] = chain * (dBottom * heightShareJ * (before - heightSharesBefore)
                        + dBinHeight * heightShare * (same - heightShareJ));
            }
            for (int j = 0; j < bins - 1; j++) {
                float value = 0;
                if (j + 1 == bin) {
                    value += dLeftDerivative * leftSoftplusSlope;
                }
                if (j == bin) {
                    value += dRightDerivative * rightSoftplusSlope;
                }
                heap[outBase + (2 * bins + j) * sites] = inside * cotangent * value;
            }
            if (learnedEnds == 1) {
                // The shared end slope is δₖ in the first bin and δₖ₊₁ in the last (both when bins = 1).
                float value = 0;
                if (bin == 0) {
                    value += dLeftDerivative * endSoftplusSlope;
                }
                if (bin == bins - 1) {
                    value += dRightDerivative * endSoftplusSlope;
                }
                heap[outBase + (3 * bins - 1) * sites] = inside * cotangent * value;
            }
        }
    }

    /**
     * The inverse of the spline (mode {@link #SPLINE_INVERSE}, {@code RationalQuadraticSpline.invert}
     * line for line): y at {@code at0}, the spline parameters at {@code at1}; the bin is found by
     * the knots' heights and ξ is the root 2γ / (−b − √(b² − 4aγ)) of the bin's quadratic.
     */
    void splineInverse(int i) {
        int bins = p0;
        int sites = p1;
        int learnedEnds = p2;
        float bound = real;
        int site = i % sites;
        int configuration = i / sites;
        int channels = 3 * bins - 1 + learnedEnds;
        int pBase = at1 + configuration * channels * sites + site;
        float yv = heap[at0 + i];
        // Outside [−B, B] the inverse is the identity: evaluate at the safe point 0 and select at the end.
        float inside = 1;
        if (yv <= -bound) {
            inside = 0;
        }
        if (yv >= bound) {
            inside = 0;
        }
        float ys = yv * inside;
        float widthMax = heap[pBase];
        float heightMax = heap[pBase + bins * sites];
        for (int k = 1; k < bins; k++) {
            widthMax = max(widthMax, heap[pBase + k * sites]);
            heightMax = max(heightMax, heap[pBase + (bins + k) * sites]);
        }
        float widthSum = 0;
        float heightSum = 0;
        for (int k = 0; k < bins; k++) {
            widthSum += exp(heap[pBase + k * sites] - widthMax);
            heightSum += exp(heap[pBase + (bins + k) * sites] - heightMax);
        }
        float scale = 1 - bins * MIN_BIN;
        int bin = -1;
        float left = -bound;
        float bottom = -bound;
        float width = 0;
        float height = 0;
        for (int k = 0; k < bins; k++) {
            if (bin < 0) {
                width = 2 * bound * (MIN_BIN + scale * exp(heap[pBase + k * sites] - widthMax) / widthSum);
                height = 2 * bound * (MIN_BIN + scale * exp(heap[pBase + (bins + k) * sites] - heightMax) / heightSum);
                int found = 0;
                if (ys < bottom + height) {
                    found = 1;
                }
                if (k == bins - 1) {
                    found = 1;
                }
                if (found == 1) {
                    bin = k;
                }
                if (found == 0) {
                    left += width;
                    bottom += height;
                }
            }
        }
        float leftDerivative = 1;
        float rightDerivative = 1;
        if (learnedEnds == 1) {
            float z = heap[pBase + (3 * bins - 1) * sites] + DERIVATIVE_SHIFT;
            leftDerivative = MIN_DERIVATIVE + max(z, 0) + log(1 + exp(-abs(z)));
            rightDerivative = leftDerivative;
        }
        if (bin > 0) {
            float z = heap[pBase + (2 * bins + bin - 1) * sites] + DERIVATIVE_SHIFT;
            leftDerivative = MIN_DERIVATIVE + max(z, 0) + log(1 + exp(-abs(z)));
        }
        if (bin < bins - 1) {
            float z = heap[pBase + (2 * bins + bin) * sites] + DERIVATIVE_SHIFT;
            rightDerivative = MIN_DERIVATIVE + max(z, 0) + log(1 + exp(-abs(z)));
        }
        float slope = height / width;
        float delta = ys - bottom;
        float curvature = leftDerivative + rightDerivative - 2 * slope;
        float a = height * (slope - leftDerivative) + delta * curvature;
        float b = height * leftDerivative - delta * curvature;
        float c = -slope * delta;
        float discriminant = max(b * b - 4 * a * c, 0);
        float xi = 2 * c / (-b - sqrt(discriminant));
        xi = min(max(xi, 0), 1);
        heap[atOut + i] = inside * (left + xi * width) + (1 - inside) * yv;
    }
}
