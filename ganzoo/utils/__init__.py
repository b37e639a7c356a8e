"""Small helpers shared by callbacks, scripts and benchmarks."""
