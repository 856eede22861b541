package io.shatter.decompose;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The kernel overwrites this parameter entirely without reading it: it receives a blank (zeroed)
 * array of the data's length, and the call makes the data's next version. Only primitive arrays,
 * which the runtime can allocate blank; use {@link ReadWrite} for anything else.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PARAMETER)
public @interface Write {
}
