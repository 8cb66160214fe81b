def test_login_page_is_served(client, db):  # the shell reads the organisation's identity
    response = client.get("/connexion/")
    assert response.status_code == 200
    assert "Connexion à Maillage" in response.content.decode()
