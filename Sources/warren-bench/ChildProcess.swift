import Glibc

/// A child process started with `posix_spawn` and reaped with `waitpid`.
///
/// Not Foundation's `Process`: on Linux it learns that a child exited when
/// a descriptor the child inherited is closed, so a daemon the child leaves
/// behind (`rabbitmq-server -detached`) keeps it "running" forever.
final class ChildProcess {
    let pid: pid_t
    private(set) var exitStatus: Int32?

    /// Starts `executable` (a path, or a name looked up in PATH) with stdin
    /// from /dev/null and stdout and stderr into the given descriptors (or
    /// inherited when nil).
    init(_ executable: String, _ arguments: [String], stdoutFD: Int32? = nil, stderrFD: Int32? = nil) throws(BenchError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stdoutFD { posix_spawn_file_actions_adddup2(&actions, stdoutFD, 1) }
        if let stderrFD { posix_spawn_file_actions_adddup2(&actions, stderrFD, 2) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, executable, &actions, nil, argv, environ)
        guard rc == 0 else { throw .system("posix_spawn \(executable)", rc) }
        pid = child
    }

    /// Reaps the child if it has exited; true while it runs.
    var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        guard reaped == pid else { return reaped == 0 }
        // WIFEXITED / WEXITSTATUS, which Swift does not import: low 7 bits are the signal.
        exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return false
    }

    /// Waits up to `timeoutSeconds`; true if the child exited.
    func wait(timeoutSeconds: Double) -> Bool {
        waitUntil(timeoutSeconds: timeoutSeconds) { !isRunning }
    }

    /// SIGTERM, then SIGKILL if it is still there after `graceSeconds`.
    func stop(graceSeconds: Double = 10) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if !wait(timeoutSeconds: graceSeconds) {
            kill(pid, SIGKILL)
            _ = wait(timeoutSeconds: 5)
        }
    }
}

/// Runs a command to completion (bounded by `timeoutSeconds`) and returns
/// its exit status and standard output. Standard error passes through, so
/// the user sees what `apt-get` or `swift build` say; with `captureOutput`
/// false, standard output goes to this process's standard error too.
///
/// Output goes to a temporary file, not a pipe: a daemon the command leaves
/// behind inherits the descriptor, and a pipe would never reach end-of-file.
func runCommand(_ executable: String, _ arguments: [String], timeoutSeconds: Double, captureOutput: Bool = true) -> (status: Int32, output: String) {
    let path = "/tmp/warren-bench-\(getpid())-\(monotonicNanos()).out"
    let fd = captureOutput ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) : 2
    defer {
        if captureOutput {
            close(fd)
            unlink(path)
        }
    }
    let child: ChildProcess
    do { child = try ChildProcess(executable, arguments, stdoutFD: fd) } catch { return (127, error.description) }
    guard child.wait(timeoutSeconds: timeoutSeconds), let status = child.exitStatus else {
        child.stop(graceSeconds: 5)
        return (124, "\(executable) timed out after \(Int(timeoutSeconds)) s")
    }
    return (status, captureOutput ? ProcStats.readText(path) ?? "" : "")
}
