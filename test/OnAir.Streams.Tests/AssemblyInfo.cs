// MediaFrame objects come from one process-wide pool: tests that check a frame's reference count
// fell to zero must not race another test re-renting that frame object.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
