def test_login_page_is_served(client):
    response = client.get("/connexion/")
    assert response.status_code == 200
    assert "Connexion à Maillage" in response.content.decode()
