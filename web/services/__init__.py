"""Services: the logic behind the views. Functions take the session as a keyword and only flush."""
