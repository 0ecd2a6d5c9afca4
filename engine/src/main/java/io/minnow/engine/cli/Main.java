package io.minnow.engine.cli;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.Kernels;
import io.minnow.formats.MinnowException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The {@code minnow} command line. Global options are inherited by every subcommand, so they may be given
 * before or after it ({@code minnow --no-native bench m.onnx} = {@code minnow bench m.onnx --no-native}).
 *
 * <p>Exit codes: 0 success; 2 for errors the user can fix — bad usage, a missing or malformed file, an
 * unsupported op, a wrong input shape ({@link MinnowException}, {@link IOException}); 1 for anything else
 * (a bug). Errors print one line, {@code minnow: error: <message>}, with the stack trace only under
 * {@code --verbose}.
 */
@Command(name = "minnow", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = Main.Version.class,
        description = "Runs compressed neural networks: inspect, run, evaluate, benchmark and convert models.",
        subcommands = {InspectCommand.class, RunCommand.class, EvalCommand.class, BenchCommand.class,
                ConvertCommand.class, CompressCommand.class, CompareCommand.class, ExportCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class},
        sortOptions = false, usageHelpAutoWidth = true)
public final class Main implements java.util.concurrent.Callable<Integer> {
    /** Exit code for errors the user can fix (usage, files, models, shapes). */
    public static final int EXIT_USER_ERROR = 2;
    /** Exit code for anything else. */
    public static final int EXIT_FAILURE = 1;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    @Option(names = "--threads", scope = ScopeType.INHERIT, paramLabel = "T", defaultValue = "1",
            description = "Intra-op threads per run (default: ${DEFAULT-VALUE}).")
    int threads = 1;

    @Option(names = "--no-native", scope = ScopeType.INHERIT,
            description = "Use only the Java kernels (Vector API and scalar), never the native library.")
    boolean noNative;

    private boolean announced;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the command line in-process with the given streams; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    /** A fully configured command line writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> main.report(ex, cmd.getErr()));
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter e = ex.getCommandLine().getErr();
            e.println("minnow: error: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, e);
            e.println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            e.flush();
            return EXIT_USER_ERROR;
        });
        return cl;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** No subcommand: usage on stderr, exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USER_ERROR;
    }

    /** Options for loading models, from the global flags. */
    Options options() {
        if (threads < 1) throw new MinnowException("--threads must be >= 1, got " + threads);
        BackendConfig backend = BackendConfig.fromSystemProperties();
        if (noNative) backend = new BackendConfig(false, backend.vectorWidthCap());
        return Options.defaults().withThreads(threads).withBackend(backend);
    }

    int threads() {
        return threads;
    }

    /** Loads a model for execution; the first load of a command logs the backend line on stderr. */
    Model load(Path file, PrintWriter err) {
        Model model = Model.load(file, options());
        announce(model.kernels(), err);
        return model;
    }

    /** Logs the backend line (once per command) on stderr. */
    void announce(Kernels kernels, PrintWriter err) {
        if (!announced) {
            announced = true;
            err.println(kernels.describe());
            err.flush();
        }
    }

    /** Prints one error line (plus the stack trace under --verbose) and returns the exit code. */
    int report(Exception ex, PrintWriter err) {
        Throwable user = userError(ex);
        Throwable shown = user != null ? user : ex;
        err.println("minnow: error: " + message(shown));
        if (verbose) ex.printStackTrace(err);
        err.flush();
        return user != null ? EXIT_USER_ERROR : EXIT_FAILURE;
    }

    /** The outermost MinnowException or IOException in the cause chain, or null. */
    static Throwable userError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof MinnowException || c instanceof IOException) return c;
            if (c instanceof UncheckedIOException u) return u.getCause();
            if (c.getCause() == c) break;
        }
        return null;
    }

    /** A one-line message; file-system exceptions (whose message is only a path) get their reason. */
    static String message(Throwable t) {
        String m = switch (t) {
            case NoSuchFileException e -> e.getFile() + ": no such file";
            case AccessDeniedException e -> e.getFile() + ": permission denied";
            case FileAlreadyExistsException e -> e.getFile() + ": already exists";
            case NotDirectoryException e -> e.getFile() + ": not a directory";
            default -> t.getMessage() != null && !t.getMessage().isBlank() ? t.getMessage() : t.getClass().getSimpleName();
        };
        if (!(t instanceof MinnowException || t instanceof IOException) && t.getMessage() != null) {
            m = t.getClass().getSimpleName() + ": " + m;
        }
        return m.replace('\n', ' ').strip();
    }

    /** The version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"minnow " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
