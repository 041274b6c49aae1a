"""Run the city energy-system optimizer. ``python run.py --help`` lists the commands."""

import sys

from energy_model.cli.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
