"""HST calibration ("calcloud"): memory bin, memory and wallclock of calibration jobs."""
