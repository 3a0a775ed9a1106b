// Command errgroup-bench runs the workloads of the Rust benchmarks (crates/errgroup/benches)
// with golang.org/x/sync/errgroup: spawn + wait, fail fast, limit with backpressure, tree
// fan-out and memory.
//
// It samples the way the Rust side's criterion settings do (0.5 s warm-up, then 20 samples of
// the same number of iterations over about 2 s) and prints one line per benchmark:
//
//	result <group> go_errgroup <parameter> <sample> <sample> ...
//
// with times in nanoseconds per iteration (one whole workload) and memory in bytes per task,
// the format bench/table.py reads. Run with -child IMPL to measure memory in a fresh process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

const (
	impl            = "go_errgroup"
	sampleSize      = 20
	warmUpTime      = 500 * time.Millisecond
	measurementTime = 2 * time.Second
	limitTasks      = 100_000
	treeTasks       = 100_000
	memoryTasks     = 100_000
	memoryRuns      = 5
)

func main() {
	child := flag.Bool("child", false, "measure the memory of parked goroutines once and print bytes per task")
	flag.Parse()
	if *child {
		fmt.Println(parkedBytesPerTask())
		return
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		bench("spawn_wait", n, func() time.Duration { return spawnWait(n) })
	}
	for _, n := range []int{10_000, 100_000} {
		bench("fail_fast_total", n, func() time.Duration { return failFast(n).total() })
	}
	for _, n := range []int{10_000, 100_000} {
		bench("fail_fast_after_failure", n, func() time.Duration { return failFast(n).afterFailure() })
	}
	for _, limit := range []int{2, 64} {
		bench("limit_backpressure", limit, func() time.Duration { return limited(limit) })
	}
	bench("tree", treeTasks, func() time.Duration { return tree(treeTasks) })
	memory()
}

// bench runs workload (which returns the duration it measured) like criterion's flat sampling
// and prints the samples' time per iteration.
func bench(group string, param int, workload func() time.Duration) {
	var warm time.Duration
	warmIters := 0
	for warm < warmUpTime {
		warm += workload()
		warmIters++
	}
	perIter := warm / time.Duration(warmIters)
	iters := int(measurementTime / time.Duration(sampleSize) / perIter)
	if iters < 1 {
		iters = 1
	}
	samples := make([]float64, sampleSize)
	for i := range samples {
		var total time.Duration
		for j := 0; j < iters; j++ {
			total += workload()
		}
		samples[i] = float64(total.Nanoseconds()) / float64(iters)
	}
	report(group, param, samples)
}

func report(group string, param int, samples []float64) {
	fmt.Printf("result\t%s\t%s\t%d", group, impl, param)
	for _, sample := range samples {
		fmt.Printf("\t%.0f", sample)
	}
	fmt.Println()
}

// Workload 1: n trivial tasks that return nil, then Wait.
func spawnWait(n int) time.Duration {
	start := time.Now()
	g, _ := errgroup.WithContext(context.Background())
	for i := 0; i < n; i++ {
		g.Go(func() error { return nil })
	}
	if err := g.Wait(); err != nil {
		panic(err)
	}
	return time.Since(start)
}

// failedAt is the error of the task that fails on purpose, stamped just before it returns.
type failedAt struct{ at time.Time }

func (f failedAt) Error() string { return "failed" }

type run struct{ started, failedAt, returned time.Time }

func (r run) total() time.Duration        { return r.returned.Sub(r.started) }
func (r run) afterFailure() time.Duration { return r.returned.Sub(r.failedAt) }

// Workload 2: n-1 tasks wait on the context, the last one spawned fails at once.
func failFast(n int) run {
	started := time.Now()
	g, ctx := errgroup.WithContext(context.Background())
	for i := 1; i < n; i++ {
		g.Go(func() error {
			<-ctx.Done()
			return ctx.Err()
		})
	}
	g.Go(func() error { return failedAt{time.Now()} })
	err := g.Wait()
	returned := time.Now()
	var failed failedAt
	if !errors.As(err, &failed) {
		panic(fmt.Sprintf("the group fails with the failing task's error, got %v", err))
	}
	return run{started, failed.at, returned}
}

// Workload 3: 100,000 trivial tasks through SetLimit(limit), with Go, which blocks the
// producer while every slot is taken.
func limited(limit int) time.Duration {
	start := time.Now()
	g, _ := errgroup.WithContext(context.Background())
	g.SetLimit(limit)
	task := func() error { return nil }
	for i := 0; i < limitTasks; i++ {
		g.Go(task)
	}
	if err := g.Wait(); err != nil {
		panic(err)
	}
	return time.Since(start)
}

// Workload 6: a 4-ary tree of n tasks numbered breadth first from the root, 0; every task
// calls g.Go for its children before it returns, and Wait waits for the whole tree. (Go
// from inside the group's goroutines is safe: the parent is still counted while it adds its
// children.)
func tree(n int) time.Duration {
	start := time.Now()
	g, _ := errgroup.WithContext(context.Background())
	var node func(i int) func() error
	node = func(i int) func() error {
		return func() error {
			for child := 4*i + 1; child <= 4*i+4 && child < n; child++ {
				g.Go(node(child))
			}
			return nil
		}
	}
	g.Go(node(0))
	if err := g.Wait(); err != nil {
		panic(err)
	}
	return time.Since(start)
}

// Workload 5: peak resident memory per goroutine parked on the context, each measured in a
// fresh process, as the Rust memory bench does.
func memory() {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	samples := make([]float64, memoryRuns)
	for i := range samples {
		out, err := exec.Command(exe, "-child").Output()
		if err != nil {
			panic(err)
		}
		samples[i], err = strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil {
			panic(err)
		}
	}
	report("memory", memoryTasks, samples)
}

// parkedBytesPerTask parks memoryTasks goroutines on the group's context, waits until all have
// started, cancels and waits, and returns (VmHWM - VmRSS before spawning) / tasks.
func parkedBytesPerTask() int64 {
	before := statusBytes("VmRSS")
	parent, cancel := context.WithCancel(context.Background())
	g, ctx := errgroup.WithContext(parent)
	var parked atomic.Int64
	for i := 0; i < memoryTasks; i++ {
		g.Go(func() error {
			parked.Add(1)
			<-ctx.Done()
			return ctx.Err()
		})
	}
	for parked.Load() < memoryTasks {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if g.Wait() == nil {
		panic("the group was cancelled")
	}
	return (statusBytes("VmHWM") - before) / memoryTasks
}

// statusBytes reads a kB field of /proc/self/status, in bytes.
func statusBytes(field string) int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, field+":") {
			value := strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(line, field+":")), "kB")
			kib, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil {
				panic(err)
			}
			return kib * 1024
		}
	}
	panic(field + " not in /proc/self/status")
}
