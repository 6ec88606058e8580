using OnAir.Server;

NativeHeap.LimitArenas();
return await OnAirCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
