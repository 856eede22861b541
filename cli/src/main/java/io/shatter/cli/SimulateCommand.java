package io.shatter.cli;

import io.shatter.ShardGraph;
import io.shatter.cli.workloads.BenchCommand;
import io.shatter.cli.workloads.HeatCommand;
import io.shatter.cli.workloads.MonteCarloCommand;
import io.shatter.cli.workloads.TasksCommand;
import io.shatter.simulator.SyntheticGraphs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code shatter simulate WORKLOAD}: the production broker core on simulated ranks (module
 * {@code shatter-simulator}), with synthetic graphs at scale or the built-in workloads' graphs.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Simulates a run: the real broker core on simulated ranks, capacity from a workload log. "
                + "Workloads: farm, layered, stencil (synthetic, at scale) and heat, montecarlo, bench, tasks (the built-in graphs). "
                + "'shatter simulate WORKLOAD --help' lists the options.",
        subcommands = {SimulateCommand.Farm.class, SimulateCommand.Layered.class, SimulateCommand.Stencil.class,
                SimulateCommand.Heat.class, SimulateCommand.MonteCarlo.class, SimulateCommand.Bench.class, SimulateCommand.Tasks.class})
public final class SimulateCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a workload: farm, layered, stencil, heat, montecarlo, bench or tasks");
    }

    /** What every simulated workload shares: the options, the run and its report. */
    abstract static class Workload implements Callable<Integer> {
        @Mixin
        SimulateOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract ShardGraph graph() throws IOException;

        @Override
        public Integer call() throws IOException {
            return options.simulate(spec.name(), graph(), spec.commandLine().getOut());
        }
    }

    /** The synthetic shapes' options. */
    abstract static class Synthetic extends Workload {
        @Option(names = "--shards", paramLabel = "N", description = "Shards in the graph (default: ${DEFAULT-VALUE}).")
        int shards = 10_000;

        @Option(names = "--resumable", description = "Resumable shards (with --safepoints and --state-bytes) instead of plain ones.")
        boolean resumable;

        abstract SyntheticGraphs.Shape shape();

        int layers() {
            return 1;
        }

        int fanIn() {
            return 0;
        }

        int tiles() {
            return 1;
        }

        @Override
        ShardGraph graph() {
            return SyntheticGraphs.build(shape(), shards, layers(), fanIn(), tiles(), resumable, options.seed);
        }
    }

    @Command(name = "farm", mixinStandardHelpOptions = true, description = "Independent shards: a wide task farm.")
    static final class Farm extends Synthetic {
        @Override
        SyntheticGraphs.Shape shape() {
            return SyntheticGraphs.Shape.FARM;
        }
    }

    @Command(name = "layered", mixinStandardHelpOptions = true,
            description = "A layered DAG: each shard reads --fan-in shards of the layer before, drawn with the seed.")
    static final class Layered extends Synthetic {
        @Option(names = "--layers", paramLabel = "L", description = "Layers (default: ${DEFAULT-VALUE}).")
        int layers = 20;

        @Option(names = "--fan-in", paramLabel = "K", description = "Inputs per shard from the layer before (default: ${DEFAULT-VALUE}).")
        int fanIn = 2;

        @Override
        SyntheticGraphs.Shape shape() {
            return SyntheticGraphs.Shape.LAYERED;
        }

        @Override
        int layers() {
            return layers;
        }

        @Override
        int fanIn() {
            return fanIn;
        }
    }

    @Command(name = "stencil", mixinStandardHelpOptions = true,
            description = "A stencil over steps: --tiles x --tiles tiles, each reading itself and its 4 neighbours at the step before.")
    static final class Stencil extends Synthetic {
        @Option(names = "--tiles", paramLabel = "T", description = "Tiles per side; steps are --shards / T^2 (default: ${DEFAULT-VALUE}).")
        int tiles = 16;

        @Override
        SyntheticGraphs.Shape shape() {
            return SyntheticGraphs.Shape.STENCIL;
        }

        @Override
        int tiles() {
            return tiles;
        }
    }

    /**
     * A built-in workload's graph, built by its own command from its own options (those the
     * simulator does not take, e.g. heat's {@code --steps}); its shard bodies never run.
     */
    abstract static class BuiltIn extends Workload {
        @CommandLine.Unmatched
        List<String> workloadArgs = new ArrayList<>();

        private final Supplier<WorkloadCommand> command;

        BuiltIn(Supplier<WorkloadCommand> command) {
            this.command = command;
        }

        @Override
        ShardGraph graph() throws IOException {
            WorkloadCommand workload = command.get();
            CommandLine parser = new CommandLine(workload);
            try {
                parser.parseArgs(workloadArgs.toArray(new String[0]));
            } catch (CommandLine.ParameterException e) {
                throw new UserException(spec.name() + ": " + e.getMessage() + " (options of 'shatter run " + spec.name()
                        + "' that shape the graph are taken; see 'shatter simulate " + spec.name() + " --help' for the rest)");
            }
            return workload.buildGraph();
        }
    }

    @Command(name = "heat", mixinStandardHelpOptions = true,
            description = "The heat workload's graph (its options: --grid, --tiles, --steps, --sweeps).")
    static final class Heat extends BuiltIn {
        Heat() {
            super(HeatCommand::new);
        }
    }

    @Command(name = "montecarlo", mixinStandardHelpOptions = true,
            description = "The montecarlo workload's graph (its options: --shards, --samples).")
    static final class MonteCarlo extends BuiltIn {
        MonteCarlo() {
            super(MonteCarloCommand::new);
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true, description = "The bench workload's graph (its option: --tasks).")
    static final class Bench extends BuiltIn {
        Bench() {
            super(BenchCommand::new);
        }
    }

    @Command(name = "tasks", mixinStandardHelpOptions = true, description = "A task file's graph (its option: --file).")
    static final class Tasks extends BuiltIn {
        Tasks() {
            super(TasksCommand::new);
        }
    }
}
