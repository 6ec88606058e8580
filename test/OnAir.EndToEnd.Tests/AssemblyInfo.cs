using Xunit;

// Real encoders and a real server per test: one at a time on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
