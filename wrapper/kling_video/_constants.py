"""Every default and fixed limit of the package, in one flat module, so each is changed in one place.

Plain named constants only: no logic, no imports from the rest of the package (everything may
import this module). Facts about the API come from ../shared/docs/kling-api.md; facts that differ
per model live in ``model_table.py`` instead.
"""

from __future__ import annotations

# The logger every module of the package writes to; users configure this one name.
LOGGER_NAME = "kling_video"

# --- Request defaults: what a prompt-only call sends -------------------------------------------

# The server's own default is kling-v1, the oldest and slowest model. kling-v2-5-turbo is the
# fast, cheap one (5 s clips in 30-60 s), takes std, 5 s and every aspect ratio, so a prompt
# alone costs little and comes back quickly. A call with `shots=` uses the model the table marks
# as multi-shot instead (model_table.default_multi_shot_model()).
DEFAULT_MODEL_NAME = "kling-v2-5-turbo"
# std is the cheaper mode (720p); pro costs more and must be asked for.
DEFAULT_MODE = "std"
# Seconds. The shortest clip every model takes; sent as the string "5".
DEFAULT_DURATION = 5
# The server's default, sent explicitly so the request says what it will get.
DEFAULT_ASPECT_RATIO = "16:9"
# Required by the spec; false unless shots or a shot_type ask for multi-shot.
DEFAULT_MULTI_SHOT = False

# --- Fixed limits and value sets of the API (kling-api.md, Create) ------------------------------

MAX_PROMPT_LENGTH = 2500  # characters
MAX_NEGATIVE_PROMPT_LENGTH = 2500  # characters
MAX_SHOT_PROMPT_LENGTH = 512  # characters, per shot of a custom multi-shot video
MIN_SHOTS = 1
MAX_SHOTS = 6
MIN_DURATION = 1  # seconds; the floor for any model, including ones not in the table
# Seconds; the ceiling for any model, including ones not in the table. An hour is 240 times the
# longest clip any model makes (15 s): more is a typo, and this keeps absurd numbers out of messages.
MAX_DURATION = 3600
CFG_SCALE_MIN = 0.0
CFG_SCALE_MAX = 1.0
CAMERA_VALUE_MIN = -10  # each of the six camera config values
CAMERA_VALUE_MAX = 10

MODES = ("std", "pro")
SOUND_VALUES = ("on", "off")
SOUND_ON = "on"
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
SHOT_TYPE_CUSTOMIZE = "customize"  # the caller gives each shot (multi_prompt)
SHOT_TYPE_INTELLIGENCE = "intelligence"  # the model splits the prompt into shots
SHOT_TYPES = (SHOT_TYPE_CUSTOMIZE, SHOT_TYPE_INTELLIGENCE)
CAMERA_TYPE_SIMPLE = "simple"  # the only camera type that takes (and needs) a config
CAMERA_TYPES = (CAMERA_TYPE_SIMPLE, "down_back", "forward_up", "right_turn_forward", "left_turn_forward")
CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
CALLBACK_URL_SCHEMES = ("http", "https")

# --- Connection -------------------------------------------------------------------------------
BASE_URL = "https://www.anyapi.vip"
API_KEY_ENV = "KLING_API_KEY"
BASE_URL_ENV = "KLING_BASE_URL"
LOG_ENV = "KLING_LOG"  # "debug" or "info": log to stderr without configuring logging yourself
# Creates can take a while to be accepted; connecting should not.
TIMEOUT = 60.0
CONNECT_TIMEOUT = 10.0
USER_AGENT_PRODUCT = "kling-video"

# --- Retries (kling-api.md, Errors) ------------------------------------------------------------
MAX_RETRIES = 3
RETRY_INITIAL_DELAY = 0.5  # seconds; the ceiling doubles per retry, and the wait is drawn below it
RETRY_MAX_DELAY = 16.0
RETRY_AFTER_CAP = 60.0  # a Retry-After beyond this is treated as this
CONCURRENCY_RETRY_MIN_DELAY = 2.0  # 1303: running tasks take minutes to free a slot

# --- Waiting (kling-api.md, Timing) ----------------------------------------------------------
WAIT_TIMEOUT = 1200.0  # 20 minutes: past the long tail of pro, sound and long clips
POLL_FIRST_LOOK = 10.0
# (until this many seconds since creation, look every this many seconds)
POLL_STEPS: tuple[tuple[float, float], ...] = ((60.0, 10.0), (300.0, 8.0), (600.0, 15.0))
POLL_TAIL_INTERVAL = 30.0

# --- Downloads -------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 300.0
DOWNLOAD_RESUMES = 5  # how many times a cut download is resumed with Range before giving up
