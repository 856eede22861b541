package io.shatter.decompose.processor;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import org.junit.jupiter.api.Test;

import javax.tools.JavaFileObject;
import java.io.IOException;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each compile-time check, asserted as javac reports it: an error with its file and line on the
 * element at fault; and a valid kernel class compiling together with its generated facade.
 */
class KernelProcessorTest {

    private static JavaFileObject source(String... lines) {
        return JavaFileObjects.forSourceLines("demo.Kernels", lines);
    }

    private static Compilation compile(JavaFileObject source) {
        return javac().withProcessors(new KernelProcessor()).compile(source);
    }

    private static final String HEADER = "package demo; import io.shatter.decompose.*; import io.shatter.Priority;";

    @Test
    void validKernelsCompileWithTheirGeneratedFacade() throws IOException {
        JavaFileObject source = source(HEADER,
                "public final class Kernels {",
                "  @Shard(priority = Priority.CRITICAL) static void potrf(@ReadWrite double[] a) { }",
                "  @Shard static double norm(@Read double[] x, int power) { return 0; }",
                "  @Shard(id = \"scaleInto\") static void scale(@Read double[] x, double factor, @Write double[] y) { }",
                "  @Shard(resumable = true) static boolean relax(long step, @Read double[] edge, @ReadWrite double[] tile) { return step < 3; }",
                "  @Shard static long count(@Read Cell c) { return c.n; }",
                "}",
                "final class Cell { long n;",
                "  static final io.shatter.Codec<Cell> CODEC = io.shatter.Codecs.map(io.shatter.Codecs.LONG, c -> c.n, n -> { Cell c = new Cell(); c.n = n; return c; }); }");
        Compilation compilation = compile(source);
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("demo.KernelsFacade").contentsAsUtf8String()
                .contains("public void potrf(Data<double[]> a) {");
        String facade = compilation.generatedSourceFile("demo.KernelsFacade").orElseThrow().getCharContent(true).toString();
        assertTrue(facade.contains("public Data<java.lang.Double> norm(Data<double[]> x, int power)"), facade);
        assertTrue(facade.contains("public void scaleInto(Data<double[]> x, double factor, Data<double[]> y)"), facade);
        assertTrue(facade.contains("public void relax(Data<double[]> edge, Data<double[]> tile)"), facade);
        assertTrue(facade.contains("new Param(\"a\", Access.READ_WRITE, io.shatter.Codecs.DOUBLES)"), facade);
        assertTrue(facade.contains("new Param(\"c\", Access.READ, demo.Cell.CODEC)"), facade);
        assertTrue(facade.contains("public static final Kernel SCALE_INTO = new Kernel(\"scaleInto\", Priority.MEDIUM"), facade);
        assertTrue(facade.contains("public static final Kernel POTRF = new Kernel(\"potrf\", Priority.CRITICAL"), facade);
    }

    @Test
    void aParameterTypeWithoutCodecIsAnErrorOnThatParameter() {
        JavaFileObject source = source(HEADER,
                "public final class Kernels {",
                "  @Shard static void fill(",
                "      @ReadWrite java.util.ArrayList<Double> values) { }",
                "}");
        Compilation compilation = compile(source);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorContaining("parameter 'values' of kernel 'fill' has type java.util.ArrayList<java.lang.Double>, which has no codec")
                .inFile(source).onLine(4);
    }

    @Test
    void aReturnTypeWithoutCodecIsAnError() {
        JavaFileObject source = source(HEADER,
                "public final class Kernels {",
                "  @Shard static Object make(@Read double[] x) { return null; }",
                "}");
        Compilation compilation = compile(source);
        assertThat(compilation).hadErrorContaining("kernel 'make' returns java.lang.Object, which has no codec").inFile(source).onLine(3);
    }

    @Test
    void aWriteOnAnImmutableTypeIsAnError() {
        JavaFileObject source = source(HEADER,
                "public final class Kernels {",
                "  @Shard static void rename(@ReadWrite String name) { }",
                "  @Shard static void bump(@Write Long counter) { }",
                "}");
        Compilation compilation = compile(source);
        assertThat(compilation).hadErrorContaining("parameter 'name' of kernel 'rename' is @ReadWrite but java.lang.String is immutable")
                .inFile(source).onLine(3);
        assertThat(compilation).hadErrorContaining("parameter 'counter' of kernel 'bump' is @Write but java.lang.Long is immutable")
                .inFile(source).onLine(4);
    }

    @Test
    void aNonStaticKernelIsAnError() {
        JavaFileObject source = source(HEADER,
                "public final class Kernels {",
                "  @Shard void potrf(@ReadWrite double[] a) { }",
                "}");
        assertThat(compile(source)).hadErrorContaining("kernel 'potrf' is not static").inFile(source).onLine(3);
    }

    @Test
    void twoKernelsWithTheSameStableIdAreAnError() {
        JavaFileObject source = source(HEADER,
                "public final class Kernels {",
                "  @Shard static void update(@ReadWrite double[] a) { }",
                "  @Shard static void update(@ReadWrite double[] a, @Read double[] b) { }",
                "  @Shard(id = \"update\") static void other(@ReadWrite double[] a) { }",
                "}");
        Compilation compilation = compile(source);
        assertThat(compilation).hadErrorContaining("stable id 'update' is already the id of update(double[])").inFile(source).onLine(4);
        assertThat(compilation).hadErrorContaining("stable id 'update' is already the id of update(double[])").inFile(source).onLine(5);
    }

    @Test
    void anUnsupportedResumableSignatureIsAnError() {
        JavaFileObject source = source(HEADER,
                "public final class Kernels {",
                "  @Shard(resumable = true) static void relax(@ReadWrite double[] a) { }",
                "  @Shard(resumable = true) static boolean settle(long step, @Read double[] a) { return false; }",
                "}");
        Compilation compilation = compile(source);
        assertThat(compilation).hadErrorContaining("unsupported resumable signature for kernel 'relax'").inFile(source).onLine(3);
        assertThat(compilation).hadErrorContaining("unsupported resumable signature for kernel 'settle': it has no @Write or @ReadWrite parameter")
                .inFile(source).onLine(4);
    }

    @Test
    void dataWithoutAnAccessModeAndBlankWritesOfObjectsAreErrors() {
        JavaFileObject source = source(HEADER,
                "public final class Kernels {",
                "  @Shard static void scale(double[] x) { }",
                "  @Shard static void fill(@Write Cell c) { }",
                "  @Shard private static void hidden(@Read double[] x) { }",
                "  @Shard static void both(@Read @ReadWrite double[] x) { }",
                "}",
                "final class Cell { static final io.shatter.Codec<Cell> CODEC = null; }");
        Compilation compilation = compile(source);
        assertThat(compilation).hadErrorContaining("parameter 'x' of kernel 'scale' has no access mode").inFile(source).onLine(3);
        assertThat(compilation).hadErrorContaining("parameter 'c' of kernel 'fill' is @Write, which gives the kernel a blank value").inFile(source).onLine(4);
        assertThat(compilation).hadErrorContaining("kernel 'hidden' is private").inFile(source).onLine(5);
        assertThat(compilation).hadErrorContaining("parameter 'x' of kernel 'both' has 2 access modes").inFile(source).onLine(6);
    }
}
