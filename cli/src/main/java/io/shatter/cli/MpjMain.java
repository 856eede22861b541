package io.shatter.cli;

import io.shatter.mpi.MpiTransports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where each MPJ Express rank starts ({@link MpjLauncher} names this class to MPJ's starter). Every
 * rank is a thread of one JVM, so this never calls {@code System.exit} (that would end all ranks);
 * MPJ's starter always exits 0, so rank 0 writes the command's exit code to the file named by
 * {@code -Dshatter.mpj.exitFile} for the launcher to return.
 */
public final class MpjMain {
    /** System property naming the file rank 0 writes its exit code to. */
    static final String EXIT_FILE_PROPERTY = "shatter.mpj.exitFile";

    private MpjMain() {
    }

    public static void main(String[] starterArgs) {
        MpiTransports.MpjRank rank;
        try {
            rank = MpiTransports.mpj(starterArgs);
        } catch (RuntimeException e) {
            System.err.println("shatter: " + e.getMessage());
            return; // no exit file: the launcher reports the failure
        }
        MpiSession.adopt(rank.transport());
        int rankNumber = rank.transport().rank();
        int code = Main.execute(rank.programArgs());
        MpiSession.close(code);
        if (rankNumber == 0) {
            writeExitCode(code);
        }
    }

    private static void writeExitCode(int code) {
        String file = System.getProperty(EXIT_FILE_PROPERTY);
        if (file == null) {
            return;
        }
        Path target = Path.of(file);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, Integer.toString(code), StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("shatter: cannot write the exit code to " + file + ": " + e.getMessage());
        }
    }
}
