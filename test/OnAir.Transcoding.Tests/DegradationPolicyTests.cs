using Xunit;

namespace OnAir.Transcoding.Tests;

/// <summary>The order and pacing of degradation steps, driven tick by tick with made-up lag figures.</summary>
public class DegradationPolicyTests
{
    private const double Budget = 2;
    private const double RecoverAfter = 30;

    [Fact]
    public void Steps_are_taken_in_the_issue_order_one_per_settle_period_while_the_lag_stays_over_budget()
    {
        var policy = new DegradationPolicy(rungCount: 3, Budget, RecoverAfter);
        var steps = new List<string>();
        for (var second = 0; second < 60; second++)
        {
            if (policy.Evaluate(second, lagSeconds: 3 + second) > 0)
            {
                steps.Add($"{second}: {policy.Describe()}");
            }
        }

        Assert.Equal(
        [
            "0: faster preset",
            "4: faster preset, half frame rate",
            "8: faster preset, half frame rate, 1 rung dropped",
            "12: faster preset, half frame rate, 2 rungs dropped",
            "16: faster preset, half frame rate, 2 rungs dropped, input dropped to the next keyframe when behind",
        ], steps);
        Assert.Equal(policy.MaxLevel, policy.Level);
        Assert.Equal(2, policy.DroppedRungs); // one rung is always left
        Assert.True(policy.DropsInput);
    }

    [Fact]
    public void No_step_is_taken_while_the_lag_is_shrinking_unless_it_is_far_over_budget()
    {
        var policy = new DegradationPolicy(rungCount: 3, Budget, RecoverAfter);
        Assert.Equal(1, policy.Evaluate(0, 5));
        for (var second = 1; second <= 20; second++)
        {
            Assert.Equal(0, policy.Evaluate(second, 7.9 - (second * 0.3))); // draining: the step works
        }

        var far = new DegradationPolicy(rungCount: 3, Budget, RecoverAfter);
        far.Evaluate(0, 20);
        Assert.Equal(1, far.Evaluate(4, 19)); // shrinking, but 4x over budget: next step anyway
    }

    [Fact]
    public void Each_step_is_undone_after_the_lag_stayed_well_under_budget_for_the_recovery_time()
    {
        var policy = new DegradationPolicy(rungCount: 2, Budget, RecoverAfter);
        policy.Evaluate(0, 3);
        policy.Evaluate(4, 3.5);
        Assert.Equal(2, policy.Level);

        var recoveredAt = new List<double>();
        for (var second = 5; second < 100; second++)
        {
            var lag = second == 40 ? 0.6 : 0.2; // one tick above a quarter of the budget restarts the wait
            if (policy.Evaluate(second, lag) < 0)
            {
                recoveredAt.Add(second);
            }
        }

        Assert.Equal([34.0, 70.0], recoveredAt); // 30 s after the last step, then 30 s after the last pressure
        Assert.Equal(0, policy.Level);
    }

    [Fact]
    public void A_step_undone_too_early_waits_twice_as_long_before_it_is_undone_again()
    {
        var policy = new DegradationPolicy(rungCount: 3, Budget, RecoverAfter);
        var undone = new List<double>();
        for (var second = 0; second < 400; second++)
        {
            // Full quality is too slow for this machine: its lag climbs whenever it is tried.
            var lag = policy.Level == 0 ? 3.0 : 0.2;
            if (policy.Evaluate(second, lag) < 0)
            {
                undone.Add(second);
            }
        }

        // Full quality lasts the settle time (4 s) each try; the waits after it: 30 s, then 60, then 120.
        Assert.Equal([30.0, 34 + 60, 98 + 120], undone.Take(3));
        Assert.Equal(RecoverAfter * 8, policy.RecoverAfterSeconds);
    }

    [Fact]
    public void A_restarted_ffmpeg_is_given_the_settle_time_before_its_lag_counts()
    {
        var policy = new DegradationPolicy(rungCount: 1, Budget, RecoverAfter);
        policy.Hold(10);
        Assert.Equal(0, policy.Evaluate(11, 5));
        Assert.Equal(0, policy.Evaluate(13, 6));
        Assert.Equal(1, policy.Evaluate(14, 7));
    }

    [Fact]
    public void Only_the_input_dropping_step_keeps_the_same_ffmpeg()
    {
        var policy = new DegradationPolicy(rungCount: 1, Budget, RecoverAfter);
        Assert.Equal(3, policy.MaxLevel); // a single rung cannot be dropped
        policy.Evaluate(0, 5);
        Assert.True(policy.NeedsRestart(0, policy.Level));
        policy.Evaluate(4, 6);
        Assert.True(policy.NeedsRestart(1, policy.Level));
        policy.Evaluate(8, 7);
        Assert.True(policy.DropsInput);
        Assert.False(policy.NeedsRestart(2, policy.Level));
    }
}
