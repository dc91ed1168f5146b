"""Hours: the organiser approves or corrects them; a volunteer's /my/hours by year, type and activity."""
