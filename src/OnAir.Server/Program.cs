using OnAir.Server;

return await OnAirCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
