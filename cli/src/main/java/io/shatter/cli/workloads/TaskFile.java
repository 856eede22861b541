package io.shatter.cli.workloads;

import io.shatter.Priority;
import io.shatter.cli.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A task file: one task a line, {@code ID [priority=P] [after=ID1,ID2] [cores=N] : COMMAND}; blank
 * lines and lines starting with {@code #} are ignored. Errors name the file, the line and what is
 * wrong.
 */
final class TaskFile {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]+");

    /** One task line. */
    record Task(String id, Priority priority, List<String> after, int cores, String command, int line) {
    }

    private TaskFile() {
    }

    static List<Task> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserException("task file " + file + " does not exist");
        }
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
                    throw error(file, t.line(), "task '" + t.id() + "' runs after '" + dep + "', which no line declares");
                }
            }
        }
        return tasks;
    }

    private static Task parse(Path file, int line, String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw error(file, line, "expected 'ID [options] : COMMAND' but found no ':' in '" + text + "'");
        }
        String command = text.substring(colon + 1).strip();
        String[] head = text.substring(0, colon).strip().split("\\s+");
        if (head.length == 0 || head[0].isEmpty()) {
            throw error(file, line, "the task has no ID before ':'");
        }
        String id = head[0];
        if (!ID.matcher(id).matches()) {
            throw error(file, line, "task ID '" + id + "' may only use letters, digits, '_', '.' and '-'");
        }
        if (command.isEmpty()) {
            throw error(file, line, "task '" + id + "' has no command after ':'");
        }
        Priority priority = Priority.MEDIUM;
        List<String> after = List.of();
        int cores = 1;
        for (int i = 1; i < head.length; i++) {
            String option = head[i];
            int eq = option.indexOf('=');
            if (eq <= 0) {
                throw error(file, line, "'" + option + "' is not an option; write priority=P, after=ID1,ID2 or cores=N");
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
                        throw error(file, line, "cores must be a whole number of at least 1, got '" + value + "'");
                    }
                }
                default -> throw error(file, line, "unknown option '" + key + "'; use priority, after or cores");
            }
        }
        return new Task(id, priority, after, cores, command, line);
    }

    private static UserException error(Path file, int line, String what) {
        return new UserException(file + ":" + line + ": " + what);
    }
}
