package io.shatter.cli.workloads;

import io.shatter.Priority;
import io.shatter.cli.Texts;
import io.shatter.cli.UserException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A task file: one task a line, {@code ID [priority=P] [after=ID1,ID2] [cores=N] : COMMAND}; blank
 * lines and lines starting with {@code #} are ignored. Errors name the file, the line and what is
 * wrong.
 */
final class TaskFile {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]+");
    /** Task ids name files ({@code RUN_DIR/tasks/ID.out}): most file systems allow 255 bytes a name. */
    static final int MAX_ID_LENGTH = 200;
    /**
     * A command is one argument of {@code /bin/sh -c}; Linux refuses a single argument longer than
     * MAX_ARG_STRLEN (32 pages, 131072 bytes) when the task starts.
     */
    static final int MAX_COMMAND_BYTES = 131_072;

    /** One task line. */
    record Task(String id, Priority priority, List<String> after, int cores, String command, int line) {
    }

    private TaskFile() {
    }

    static List<Task> read(Path file) throws IOException {
        List<String> lines = readLines(file);
        List<Task> tasks = new ArrayList<>();
        Map<String, Integer> declared = new HashMap<>();
        for (int n = 1; n <= lines.size(); n++) {
            String text = lines.get(n - 1).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            Task task = parse(file, n, text);
            Integer earlier = declared.putIfAbsent(task.id(), n);
            if (earlier != null) {
                throw error(file, n, "task '" + task.id() + "' is already declared on line " + earlier);
            }
            tasks.add(task);
        }
        if (tasks.isEmpty()) {
            throw new UserException("task file " + file + " has no tasks; write one per line as 'ID [priority=P] [after=ID1,ID2] [cores=N] : COMMAND'");
        }
        for (Task t : tasks) {
            for (String dep : t.after()) {
                if (!declared.containsKey(dep)) {
                    throw error(file, t.line(), "task '" + t.id() + "' runs after '" + Texts.clip(dep) + "', which no line declares");
                }
            }
        }
        return tasks;
    }

    /** The file's lines, decoded as UTF-8; a byte that is not UTF-8 is reported with its line. */
    private static List<String> readLines(Path file) {
        if (Files.isDirectory(file)) {
            throw new UserException("--file " + file + " is a directory; pass a task file (one task a line, 'ID : COMMAND')");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserException("task file " + file + " does not exist");
        } catch (IOException e) {
            throw new UserException("cannot read the task file " + file + ": " + e.getMessage());
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        for (int start = 0, n = 1; start <= bytes.length; n++) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            ByteBuffer in = ByteBuffer.wrap(bytes, start, end - start);
            CharBuffer out = CharBuffer.allocate(end - start); // UTF-8 never decodes to more chars than bytes
            CoderResult result = utf8.reset().decode(in, out, true);
            if (result.isError()) {
                throw new UserException(String.format(Locale.ROOT, "%s:%d: byte %d of the line (0x%02X) is not UTF-8 text; save the task file as UTF-8",
                        file, n, in.position() - start + 1, bytes[in.position()] & 0xff));
            }
            utf8.flush(out);
            lines.add(out.flip().toString());
            start = end + 1;
        }
        return lines;
    }

    private static Task parse(Path file, int line, String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw error(file, line, "expected 'ID [options] : COMMAND' but found no ':' in '" + Texts.clip(text) + "'");
        }
        String command = text.substring(colon + 1).strip();
        String[] head = text.substring(0, colon).strip().split("\\s+");
        if (head.length == 0 || head[0].isEmpty()) {
            throw error(file, line, "the task has no ID before ':'");
        }
        String id = head[0];
        if (id.length() > MAX_ID_LENGTH) {
            throw error(file, line, "task ID '" + Texts.clip(id) + "' is longer than " + MAX_ID_LENGTH
                    + " characters (it names the task's output files); use a shorter ID");
        }
        if (!ID.matcher(id).matches()) {
            throw error(file, line, "task ID '" + Texts.clip(id) + "' may only use letters, digits, '_', '.' and '-'");
        }
        if (command.isEmpty()) {
            throw error(file, line, "task '" + id + "' has no command after ':'");
        }
        int commandBytes = command.getBytes(StandardCharsets.UTF_8).length;
        if (commandBytes >= MAX_COMMAND_BYTES) {
            throw error(file, line, "the command of task '" + id + "' is " + commandBytes + " bytes; the limit is "
                    + (MAX_COMMAND_BYTES - 1) + " (one argument of /bin/sh -c on Linux): put it in a script and run the script");
        }
        Priority priority = Priority.MEDIUM;
        List<String> after = List.of();
        int cores = 1;
        for (int i = 1; i < head.length; i++) {
            String option = head[i];
            int eq = option.indexOf('=');
            if (eq <= 0) {
                throw error(file, line, "'" + Texts.clip(option) + "' is not an option; write priority=P, after=ID1,ID2 or cores=N");
            }
            String key = option.substring(0, eq);
            String value = option.substring(eq + 1);
            switch (key) {
                case "priority" -> {
                    try {
                        priority = Priority.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw error(file, line, e.getMessage());
                    }
                }
                case "after" -> {
                    after = Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
                    if (after.isEmpty()) {
                        throw error(file, line, "after= names no task");
                    }
                }
                case "cores" -> {
                    try {
                        cores = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        cores = 0;
                    }
                    if (cores < 1) {
                        throw error(file, line, "cores must be a whole number of at least 1, got '" + Texts.clip(value) + "'");
                    }
                }
                default -> throw error(file, line, "unknown option '" + Texts.clip(key) + "'; use priority, after or cores");
            }
        }
        return new Task(id, priority, after, cores, command, line);
    }

    private static UserException error(Path file, int line, String what) {
        return new UserException(file + ":" + line + ": " + what);
    }
}
