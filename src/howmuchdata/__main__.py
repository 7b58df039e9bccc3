import sys

from howmuchdata.cli import main

sys.exit(main())
