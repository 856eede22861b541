package io.shatter.decompose.processor;

import io.shatter.decompose.Access;
import io.shatter.decompose.Read;
import io.shatter.decompose.ReadWrite;
import io.shatter.decompose.Shard;
import io.shatter.decompose.Write;

import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Messager;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.tools.Diagnostic;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the {@link Shard} kernels of each class and generates its facade. Every mistake is an error
 * on the element at fault (so javac prints its file and line) saying what to do; a class with any
 * error gets no facade, so the program does not compile until it is fixed.
 */
public final class KernelProcessor extends AbstractProcessor {
    private static final Pattern ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return Set.of(Shard.class.getCanonicalName());
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        Map<TypeElement, List<ExecutableElement>> byClass = new LinkedHashMap<>();
        for (Element e : round.getElementsAnnotatedWith(Shard.class)) {
            if (e.getKind() == ElementKind.METHOD) {
                byClass.computeIfAbsent((TypeElement) e.getEnclosingElement(), k -> new ArrayList<>()).add((ExecutableElement) e);
            }
        }
        TypeRules rules = new TypeRules(processingEnv.getTypeUtils(), processingEnv.getElementUtils());
        for (Map.Entry<TypeElement, List<ExecutableElement>> entry : byClass.entrySet()) {
            new ClassCheck(entry.getKey(), rules, processingEnv.getMessager()).run(entry.getValue());
        }
        return true;
    }

    /** The checks of one kernel class; writes its facade when they all pass. */
    private final class ClassCheck {
        private final TypeElement type;
        private final TypeRules rules;
        private final Messager messager;
        private boolean failed;

        ClassCheck(TypeElement type, TypeRules rules, Messager messager) {
            this.type = type;
            this.rules = rules;
            this.messager = messager;
        }

        private void error(Element at, String message) {
            messager.printMessage(Diagnostic.Kind.ERROR, message, at);
            failed = true;
        }

        void run(List<ExecutableElement> methods) {
            if (type.getNestingKind() != NestingKind.TOP_LEVEL && !type.getModifiers().contains(Modifier.STATIC)) {
                error(type, "kernel class " + type.getSimpleName() + " is an inner class; make it a top-level or static nested class");
            }
            if (type.getKind() != ElementKind.CLASS) {
                error(type, "kernels must be static methods of a class, and " + type.getSimpleName() + " is a " + type.getKind().toString().toLowerCase(Locale.ROOT));
            }
            Map<String, ExecutableElement> ids = new HashMap<>();
            Map<String, String> constants = new HashMap<>();
            List<KernelModel> kernels = new ArrayList<>();
            for (ExecutableElement method : methods) {
                Optional<KernelModel> kernel = check(method);
                if (kernel.isEmpty()) {
                    continue;
                }
                KernelModel k = kernel.get();
                ExecutableElement first = ids.putIfAbsent(k.id(), method);
                if (first != null) {
                    error(method, "stable id '" + k.id() + "' is already the id of " + first + "; give one of them another id with @Shard(id = \"...\")");
                    continue;
                }
                String clash = constants.putIfAbsent(k.constant(), k.id());
                if (clash != null) {
                    error(method, "stable ids '" + clash + "' and '" + k.id() + "' both name the facade constant " + k.constant() + "; rename one");
                    continue;
                }
                kernels.add(k);
            }
            if (failed) {
                return;
            }
            String pkg = processingEnv.getElementUtils().getPackageOf(type).getQualifiedName().toString();
            String facade = (pkg.isEmpty() ? "" : pkg + ".") + type.getSimpleName() + "Facade";
            try (Writer out = processingEnv.getFiler().createSourceFile(facade, type).openWriter()) {
                out.write(new FacadeWriter(type, kernels).source());
            } catch (IOException e) {
                error(type, "cannot write " + facade + ": " + e.getMessage());
            }
        }

        private Optional<KernelModel> check(ExecutableElement method) {
            Shard shard = method.getAnnotation(Shard.class);
            String name = method.getSimpleName().toString();
            boolean ok = true;
            if (!method.getModifiers().contains(Modifier.STATIC)) {
                error(method, "kernel '" + name + "' is not static; a kernel is a static method (no object travels between ranks): make it static");
                ok = false;
            }
            if (method.getModifiers().contains(Modifier.PRIVATE)) {
                error(method, "kernel '" + name + "' is private, so the generated facade cannot call it; make it package-private or public");
                ok = false;
            }
            if (!method.getTypeParameters().isEmpty()) {
                error(method, "kernel '" + name + "' is generic; a kernel's types must be concrete so that their codecs are known");
                ok = false;
            }
            String id = shard.id().isEmpty() ? name : shard.id();
            if (!ID.matcher(id).matches()) {
                error(method, "stable id '" + id + "' of kernel '" + name + "' must be a Java identifier (letters, digits, _)");
                ok = false;
            }
            if (shard.cores() < 1) {
                error(method, "kernel '" + name + "' asks for " + shard.cores() + " cores; it needs at least 1");
                ok = false;
            }
            if (shard.retries() < 0) {
                error(method, "kernel '" + name + "' has retries = " + shard.retries() + "; use 0 or more");
                ok = false;
            }
            List<? extends VariableElement> declared = method.getParameters();
            if (shard.resumable()) {
                boolean stepFirst = !declared.isEmpty() && declared.get(0).asType().getKind() == TypeKind.LONG && access(declared.get(0)).isEmpty();
                boolean returnsBoolean = method.getReturnType().getKind() == TypeKind.BOOLEAN;
                if (!stepFirst || !returnsBoolean) {
                    error(method, "unsupported resumable signature for kernel '" + name + "': a resumable kernel is "
                            + "'static boolean " + name + "(long step, ...)', called with step 0, 1, 2, ... and returning whether another step remains");
                    ok = false;
                }
            }
            List<KernelModel.ParamModel> params = new ArrayList<>();
            for (int i = shard.resumable() ? 1 : 0; i < declared.size(); i++) {
                Optional<KernelModel.ParamModel> p = parameter(name, declared.get(i));
                ok &= p.isPresent();
                p.ifPresent(params::add);
            }
            if (ok && shard.resumable() && params.stream().noneMatch(p -> p.access().writes())) {
                error(method, "unsupported resumable signature for kernel '" + name + "': it has no @Write or @ReadWrite parameter to hold "
                        + "the state that is checkpointed between steps");
                ok = false;
            }
            Optional<KernelModel.Returned> returns = Optional.empty();
            TypeMirror returnType = method.getReturnType();
            if (!shard.resumable() && returnType.getKind() != TypeKind.VOID) {
                Optional<String> codec = rules.codec(returnType);
                if (codec.isEmpty()) {
                    error(method, "kernel '" + name + "' returns " + returnType + ", which has no codec; " + codecAdvice(returnType));
                    ok = false;
                } else {
                    returns = Optional.of(new KernelModel.Returned(rules.boxed(returnType), codec.get()));
                }
            }
            if (!ok) {
                return Optional.empty();
            }
            return Optional.of(new KernelModel(method, id, constantName(id), shard.priority().name(), shard.cores(),
                    Arrays.asList(shard.requires()), shard.retries(), shard.resumable(), params, returns));
        }

        private Optional<KernelModel.ParamModel> parameter(String kernel, VariableElement p) {
            String name = p.getSimpleName().toString();
            TypeMirror type = p.asType();
            List<Access> modes = access(p);
            if (modes.size() > 1) {
                error(p, "parameter '" + name + "' of kernel '" + kernel + "' has " + modes.size() + " access modes; give it exactly one of @Read, @Write, @ReadWrite");
                return Optional.empty();
            }
            if (modes.isEmpty()) {
                if (!rules.constant(type)) {
                    error(p, "parameter '" + name + "' of kernel '" + kernel + "' has no access mode; annotate it @Read, @Write or @ReadWrite "
                            + "(only primitives and String can be constants, recorded with the call)");
                    return Optional.empty();
                }
                return Optional.of(new KernelModel.ParamModel(name, Access.VALUE, type.toString(), rules.boxed(type), Optional.empty()));
            }
            Access access = modes.get(0);
            Optional<String> codec = rules.codec(type);
            if (codec.isEmpty()) {
                error(p, "parameter '" + name + "' of kernel '" + kernel + "' has type " + type + ", which has no codec; " + codecAdvice(type));
                return Optional.empty();
            }
            if (access.writes() && rules.immutable(type)) {
                error(p, "parameter '" + name + "' of kernel '" + kernel + "' is @" + annotationName(access) + " but " + type
                        + " is immutable, so the kernel cannot change it in place; make it @Read and return the new value instead");
                return Optional.empty();
            }
            if (access == Access.WRITE && !rules.blankable(type)) {
                error(p, "parameter '" + name + "' of kernel '" + kernel + "' is @Write, which gives the kernel a blank value, and the runtime "
                        + "can only allocate primitive arrays blank; make it @ReadWrite");
                return Optional.empty();
            }
            return Optional.of(new KernelModel.ParamModel(name, access, type.toString(), rules.boxed(type), codec));
        }

        private String codecAdvice(TypeMirror type) {
            return "values travel between ranks as bytes, never by Java serialization: use a type with a built-in codec "
                    + "(double[], float[], long[], int[], byte[], String, Double, Long, Integer) or give " + type
                    + " a 'public static final io.shatter.Codec<" + type + "> CODEC' field";
        }
    }

    private static List<Access> access(VariableElement p) {
        List<Access> modes = new ArrayList<>();
        if (p.getAnnotation(Read.class) != null) {
            modes.add(Access.READ);
        }
        if (p.getAnnotation(Write.class) != null) {
            modes.add(Access.WRITE);
        }
        if (p.getAnnotation(ReadWrite.class) != null) {
            modes.add(Access.READ_WRITE);
        }
        return modes;
    }

    private static String annotationName(Access access) {
        return access == Access.WRITE ? "Write" : access == Access.READ_WRITE ? "ReadWrite" : "Read";
    }

    /** {@code trsmLower} becomes {@code TRSM_LOWER}. */
    static String constantName(String id) {
        return id.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
