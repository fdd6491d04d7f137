"""Load and validate the Gutenberg Gait Database "PRO" files.

Format facts (Horst et al. 2021, Sci Data 8:232, Table 3): ten curve files,
one per force/COP component and side, each row = DATASET_ID, SUBJECT_ID,
SESSION_ID, TRIAL_ID, then 101 samples of the time-normalised stance phase.
Forces are in multiples of body weight, centre of pressure in metres.
Missing values are the literal ``NaN``; files have CRLF line endings.
"""

from __future__ import annotations

ID_COLUMNS: tuple[str, ...] = ("DATASET_ID", "SUBJECT_ID", "SESSION_ID", "TRIAL_ID")
SESSION_KEY: tuple[str, ...] = ("DATASET_ID", "SUBJECT_ID", "SESSION_ID")
N_SAMPLES = 101
COMPONENTS: tuple[str, ...] = ("F_V", "F_AP", "F_ML", "COP_AP", "COP_ML")
SIDES: tuple[str, ...] = ("left", "right")
# Component-major order: F_V_left, F_V_right, F_AP_left, ...
CHANNELS: tuple[str, ...] = tuple(f"{component}_{side}" for component in COMPONENTS for side in SIDES)
CURVE_FILES: dict[str, str] = {
    f"{component}_{side}": f"GRF_{component}_PRO_{side}.csv" for component in COMPONENTS for side in SIDES
}
METADATA_FILE = "GRF_metadata.csv"
SPEED_FILE = "GRF_walking_speed.csv"
PUBLISHED_FILES: tuple[str, ...] = (*CURVE_FILES.values(), METADATA_FILE, SPEED_FILE)
CHANNEL_UNITS: dict[str, str] = {
    channel: ("m" if channel.startswith("COP") else "BW") for channel in CHANNELS
}
