package io.shatter.decompose.processor;

import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import java.util.Map;
import java.util.Optional;

/**
 * What the processor knows about parameter types: which have a codec (and the Java expression
 * naming it), which are immutable, which the runtime can allocate blank.
 */
final class TypeRules {
    /** Types with a codec in {@code io.shatter.Codecs}, by their canonical name (primitives as their boxes). */
    private static final Map<String, String> BUILT_IN = Map.ofEntries(
            Map.entry("double[]", "DOUBLES"), Map.entry("float[]", "FLOATS"), Map.entry("long[]", "LONGS"),
            Map.entry("int[]", "INTS"), Map.entry("byte[]", "BYTES"), Map.entry("java.lang.String", "STRING"),
            Map.entry("java.lang.Double", "DOUBLE"), Map.entry("java.lang.Long", "LONG"), Map.entry("java.lang.Integer", "INT"));

    private final Types types;
    private final Elements elements;

    TypeRules(Types types, Elements elements) {
        this.types = types;
        this.elements = elements;
    }

    /** The type as facades and casts spell it: primitives boxed. */
    String boxed(TypeMirror type) {
        if (type.getKind().isPrimitive()) {
            return types.boxedClass((javax.lang.model.type.PrimitiveType) type).getQualifiedName().toString();
        }
        return types.erasure(type).toString();
    }

    /** The Java expression of the type's codec, if it has one. */
    Optional<String> codec(TypeMirror type) {
        String name = boxed(type);
        String builtIn = BUILT_IN.get(name);
        if (builtIn != null) {
            return Optional.of("io.shatter.Codecs." + builtIn);
        }
        if (type.getKind() != TypeKind.DECLARED) {
            return Optional.empty();
        }
        DeclaredType declared = (DeclaredType) type;
        if (!declared.getTypeArguments().isEmpty()) {
            return Optional.empty(); // a generic type's codec would have to know its type arguments
        }
        TypeElement element = (TypeElement) declared.asElement();
        TypeMirror codecType = types.getDeclaredType(elements.getTypeElement("io.shatter.Codec"), type);
        for (VariableElement field : ElementFilter.fieldsIn(element.getEnclosedElements())) {
            if (field.getSimpleName().contentEquals("CODEC") && field.getModifiers().contains(Modifier.STATIC)
                    && field.getModifiers().contains(Modifier.FINAL) && !field.getModifiers().contains(Modifier.PRIVATE)
                    && types.isAssignable(field.asType(), codecType)) {
                return Optional.of(element.getQualifiedName() + ".CODEC");
            }
        }
        return Optional.empty();
    }

    /** Primitives, their boxes, strings, enums and records: a kernel cannot change them in place. */
    boolean immutable(TypeMirror type) {
        if (type.getKind().isPrimitive()) {
            return true;
        }
        if (type.getKind() != TypeKind.DECLARED) {
            return false;
        }
        TypeElement element = (TypeElement) ((DeclaredType) type).asElement();
        String name = element.getQualifiedName().toString();
        return element.getKind() == ElementKind.ENUM || element.getKind() == ElementKind.RECORD
                || name.equals("java.lang.String") || (name.startsWith("java.lang.") && BUILT_IN.containsKey(name))
                || name.equals("java.lang.Boolean") || name.equals("java.lang.Float") || name.equals("java.lang.Short")
                || name.equals("java.lang.Byte") || name.equals("java.lang.Character");
    }

    /** Whether the runtime can allocate a blank value of this type: a primitive array (zeroed, of the data's length). */
    boolean blankable(TypeMirror type) {
        return type.getKind() == TypeKind.ARRAY && ((ArrayType) type).getComponentType().getKind().isPrimitive()
                && BUILT_IN.containsKey(type.toString());
    }

    /** Whether an unannotated parameter of this type can be a constant: primitives and strings. */
    boolean constant(TypeMirror type) {
        return type.getKind().isPrimitive() || boxed(type).equals("java.lang.String");
    }
}
