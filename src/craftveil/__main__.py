from craftveil.cli.app import main

main()
