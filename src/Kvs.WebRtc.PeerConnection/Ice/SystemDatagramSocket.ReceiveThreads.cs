using System.Collections.Concurrent;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>The dedicated receive threads of the sockets, reused across sockets and transports.</summary>
internal sealed partial class SystemDatagramSocket
{
    // Creating a thread costs CPU and a scheduling slot (Linux debits a new task's first slice), which on a loaded
    // machine lands on connection setup; a thread whose socket closed waits a while for the next socket.
    private static class ReceiveThreads
    {
        private static readonly TimeSpan s_idleTimeout = TimeSpan.FromSeconds(30);
        private static readonly ConcurrentStack<Worker> s_idle = new();

        public static void Run(Action work)
        {
            while (s_idle.TryPop(out var idle))
            {
                if (idle.TryAssign(work))
                {
                    return;
                }
            }

            var worker = new Worker(work);
            var thread = new Thread(worker.Loop) { IsBackground = true, Name = "ICE receive" };
            // No execution context flows: a reused thread serves later transports of unrelated callers.
            thread.UnsafeStart();
        }

        private sealed class Worker(Action first)
        {
            private readonly object _lock = new();
            private Action? _work = first;
            private bool _retired;

            public bool TryAssign(Action work)
            {
                lock (_lock)
                {
                    if (_retired || _work is not null)
                    {
                        return false;
                    }

                    _work = work;
                    Monitor.Pulse(_lock);
                    return true;
                }
            }

            public void Loop()
            {
                while (true)
                {
                    Action work;
                    lock (_lock)
                    {
                        work = _work!;
                    }

                    // The work item catches its own exceptions (see StartThread).
                    work();
                    lock (_lock)
                    {
                        _work = null;
                    }

                    s_idle.Push(this);
                    lock (_lock)
                    {
                        while (_work is null)
                        {
                            if (!Monitor.Wait(_lock, s_idleTimeout) && _work is null)
                            {
                                _retired = true;
                                return;
                            }
                        }
                    }
                }
            }
        }
    }
}
