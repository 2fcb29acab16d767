import sys

from codeward.cli import main

sys.exit(main())
