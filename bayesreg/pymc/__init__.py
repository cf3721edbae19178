"""The PyMC bridge (to_pymc, crosscheck, sample): see the PyMC-bridge issue."""
