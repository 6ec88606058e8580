// MediaFrame objects come from one process-wide pool: a test that checks a frame went back to the
// pool (or was not re-rented) must not race another test renting frames at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
