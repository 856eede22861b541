package io.shatter.decompose;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The kernel reads this parameter and changes it in place: the call depends on the data's last
 * writer and makes its next version. The type must be mutable (an array, or a class with a codec).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PARAMETER)
public @interface ReadWrite {
}
