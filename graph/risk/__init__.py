"""Risk: signals, ring detection, holds on rebates and the analysts' decisions."""
