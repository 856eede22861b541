package io.shatter.predictor;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Paths of the real-log excerpts in test resources. */
final class Excerpts {
    private Excerpts() {
    }

    static Path kth() {
        return resource("/KTH-SP2-1996-2.1-cln.excerpt.swf");
    }

    static Path ctcGzip() {
        return resource("/CTC-SP2-1996-3.1-cln.excerpt.swf.gz");
    }

    private static Path resource(String name) {
        try {
            return Path.of(Excerpts.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
